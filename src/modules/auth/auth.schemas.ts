import { Type } from 'typebox';
import { DateTime, IdParams, Nullable, Page, PageQuery, StrictObject, Uuid } from '../../platform/http/schemas.js';

// Wider than the policy allows, so the policy (not the schema) says which rule a password breaks;
// still bounded so nobody makes argon2 hash a megabyte.
const PasswordInput = Type.String({ minLength: 1, maxLength: 1024 });
const EmailInput = Type.String({ minLength: 3, maxLength: 254, description: 'Stored lower-cased' });
const DisplayName = Type.String({ minLength: 1, maxLength: 100 });
const TimeZone = Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/Berlin' });
const Currency = Type.String({ pattern: '^[A-Za-z]{3}$', description: 'ISO 4217 code, e.g. USD' });
const NonNegativeDecimal = Type.String({ pattern: '^\\d{1,20}(\\.\\d{1,12})?$', description: 'Decimal string ≥ 0, e.g. "0.50"' });
const Scope = Type.Union([Type.Literal('read'), Type.Literal('write')]);

export const User = Type.Object({
  id: Uuid,
  email: Type.String(),
  displayName: Nullable(Type.String()),
  timezone: Type.String(),
  baseCurrency: Type.String(),
  breakevenTolerance: Type.String({ description: 'Decimal string' }),
  role: Type.Union([Type.Literal('user'), Type.Literal('admin')]),
  createdAt: DateTime,
});

export const AuthResult = Type.Object({
  user: User,
  accessToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'Seconds until the access token expires' }),
  refreshToken: Type.Optional(
    Type.String({ description: 'Opaque; send it to /auth/refresh once — every refresh returns a new one. Absent when it was set as the httpOnly ts_refresh cookie instead.' }),
  ),
  refreshTokenExpiresAt: DateTime,
});

export const RegisterBody = StrictObject({
  email: EmailInput,
  password: PasswordInput,
  displayName: Type.Optional(Nullable(DisplayName)),
  timezone: Type.Optional(TimeZone),
  baseCurrency: Type.Optional(Currency),
});

export const LoginBody = StrictObject({ email: Type.String({ minLength: 1, maxLength: 254 }), password: PasswordInput });

const RefreshTokenInput = Type.String({ minLength: 1, maxLength: 512 });
/** Without refreshToken, the ts_refresh cookie (with X-CSRF-Token) is used. */
export const RefreshBody = StrictObject({ refreshToken: Type.Optional(RefreshTokenInput) });
export const LogoutBody = StrictObject({ refreshToken: Type.Optional(RefreshTokenInput) });

export const UpdateMeBody = StrictObject(
  {
    displayName: Type.Optional(Nullable(DisplayName)),
    timezone: Type.Optional(TimeZone),
    baseCurrency: Type.Optional(Currency),
    breakevenTolerance: Type.Optional(NonNegativeDecimal),
  },
  { minProperties: 1 },
);

export const ChangePasswordBody = StrictObject({ currentPassword: PasswordInput, newPassword: PasswordInput });

export const ListQuery = StrictObject({ ...PageQuery });

export const Session = Type.Object({
  id: Uuid,
  createdAt: DateTime,
  lastUsedAt: DateTime,
  ip: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
  current: Type.Boolean({ description: 'The session of the access token making this request' }),
});

export const ApiKey = Type.Object({
  id: Uuid,
  name: Type.String(),
  prefix: Type.String({ description: 'The visible start of the key, e.g. ts_ab12cd34' }),
  scope: Scope,
  createdAt: DateTime,
  lastUsedAt: Nullable(DateTime),
});

export const CreatedApiKey = Type.Object({
  ...ApiKey.properties,
  key: Type.String({ description: 'The full key; shown this once and never again' }),
});

export const CreateApiKeyBody = StrictObject({ name: Type.String({ minLength: 1, maxLength: 100 }), scope: Scope });

export const SecurityEvent = Type.Object({
  id: Uuid,
  type: Type.String({ description: 'login_succeeded, login_failed, refresh_token_reuse, password_changed, api_key_created, ...' }),
  ip: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
  details: Type.Record(Type.String(), Type.Unknown()),
  createdAt: DateTime,
});

export const AdminUser = Type.Object({
  id: Uuid,
  email: Type.String(),
  role: Type.Union([Type.Literal('user'), Type.Literal('admin')]),
  createdAt: DateTime,
});

export const SessionPage = Page(Session);
export const ApiKeyPage = Page(ApiKey);
export const SecurityEventPage = Page(SecurityEvent);
export const AdminUserPage = Page(AdminUser);
export { IdParams };

export const NoContent = Type.Null({ description: 'No content' });
