import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../helpers/app.js';
import { buildTestApp, expectEnvelope } from '../../helpers/app.js';
import { register } from './auth-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const patch = (headers: Record<string, string>, payload: unknown) => t.app.inject({ method: 'PATCH', url: '/api/v1/auth/me', headers, payload: payload as object });
const getMe = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers });

describe('PATCH /auth/me', () => {
  it('updates display name, timezone, currency and breakeven tolerance, keeping decimals exact', async () => {
    const u = await register(t);
    const res = await patch(u.headers, { displayName: 'Day Trader', timezone: 'America/New_York', baseCurrency: 'gbp', breakevenTolerance: '0.50' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ displayName: 'Day Trader', timezone: 'America/New_York', baseCurrency: 'GBP', breakevenTolerance: '0.50' });
    expect((await getMe(u.headers)).json()).toEqual(res.json());
  });

  it('clears the display name with null and leaves other fields alone', async () => {
    const u = await register(t);
    await patch(u.headers, { displayName: 'Someone', timezone: 'Asia/Tokyo' });
    const res = await patch(u.headers, { displayName: null });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ displayName: null, timezone: 'Asia/Tokyo' });
  });

  it('stores SQL-injection display names verbatim', async () => {
    const u = await register(t);
    for (const displayName of ["'); DROP TABLE users;--", "' OR '1'='1"]) {
      const res = await patch(u.headers, { displayName });
      expect(res.json().displayName).toBe(displayName);
      expect((await getMe(u.headers)).json().displayName).toBe(displayName);
    }
  });

  it.each([
    [{ timezone: 'Nowhere/Special' }, 'invalid_timezone'],
    [{ timezone: '+02:00' }, 'invalid_timezone'],
    [{ baseCurrency: 'QQQ' }, 'invalid_currency'],
    [{ baseCurrency: 'EURO' }, 'validation_failed'],
    [{ breakevenTolerance: '-1' }, 'validation_failed'],
    [{ breakevenTolerance: '1e3' }, 'validation_failed'],
    [{ role: 'admin' }, 'validation_failed'],
    [{ email: 'new@example.test' }, 'validation_failed'],
    [{}, 'validation_failed'],
  ])('answers 400 for %j and changes nothing', async (payload, code) => {
    const u = await register(t);
    const before = (await getMe(u.headers)).json();
    const res = await patch(u.headers, payload);
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json(), code);
    expect((await getMe(u.headers)).json()).toEqual(before);
  });

  it('names unknown fields in the details', async () => {
    const u = await register(t);
    const res = await patch(u.headers, { displayName: 'x', favouriteColour: 'blue' });
    expect(res.json().details.fields).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'favouriteColour' })]));
  });

  it('answers 401 when anonymous', async () => {
    const res = await patch({}, { displayName: 'x' });
    expect(res.statusCode).toBe(401);
    expectEnvelope(res.json(), 'unauthenticated');
  });
});
