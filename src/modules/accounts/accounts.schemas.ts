import { Type } from 'typebox';
import type { Static } from 'typebox';
import { DateTime, Decimal, Nullable, Page, PageQuery, StrictObject, Uuid } from '../../platform/http/schemas.js';

export const CurrencyCode = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code, e.g. USD' });
export const TimeZoneName = Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. America/New_York' });
const Name = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' });
const Broker = Type.String({ minLength: 1, maxLength: 50, pattern: '\\S', description: "Broker id, e.g. 'ibkr', 'tradovate'; 'manual' for hand-entered accounts" });
const BrokerAccountId = Type.String({ minLength: 1, maxLength: 100, description: "The broker's own account number" });

export const Account = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    broker: Type.String(),
    brokerAccountId: Nullable(Type.String()),
    currency: Type.String(),
    timezone: Nullable(Type.String({ description: "The account's own time zone; null means the user's" })),
    startingBalance: Nullable(Decimal()),
    createdAt: DateTime,
    updatedAt: DateTime,
  },
  { additionalProperties: false },
);
export type AccountView = Static<typeof Account>;

export const CreateAccountBody = StrictObject({
  name: Name,
  broker: Type.Optional(Broker),
  brokerAccountId: Type.Optional(Nullable(BrokerAccountId)),
  currency: Type.Optional(CurrencyCode),
  timezone: Type.Optional(Nullable(TimeZoneName)),
  startingBalance: Type.Optional(Nullable(Decimal('Cash balance when the journal starts'))),
});
export type CreateAccountInput = Static<typeof CreateAccountBody>;

export const UpdateAccountBody = StrictObject(
  {
    name: Type.Optional(Name),
    broker: Type.Optional(Broker),
    brokerAccountId: Type.Optional(Nullable(BrokerAccountId)),
    currency: Type.Optional(CurrencyCode),
    timezone: Type.Optional(Nullable(TimeZoneName)),
    startingBalance: Type.Optional(Nullable(Decimal())),
  },
  { minProperties: 1 },
);
export type UpdateAccountInput = Static<typeof UpdateAccountBody>;

export const AccountListQuery = StrictObject({ ...PageQuery });
export type AccountListInput = Static<typeof AccountListQuery>;
export const AccountPage = Page(Account);

export const DeleteAccountQuery = StrictObject({
  confirm: Type.Optional(Type.Boolean({ description: 'Required when the account has executions: deletes them and their trades too' })),
});
