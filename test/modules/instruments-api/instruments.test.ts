import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp, TestUser } from '../../helpers/app.js';
import { buildTestApp, call, createUser, expectEnvelope } from '../../helpers/app.js';

let t: TestApp;
let user: TestUser;
beforeAll(async () => {
  t = await buildTestApp();
  user = await createUser(t);
});
afterAll(() => t.close());

const lookup = (path: string) => call(t, user, { method: 'GET', url: `/api/v1/instruments/${path}` });

describe('GET /instruments/:symbol', () => {
  it('knows the E-mini S&P 500 point value (ES → 50)', async () => {
    const res = await lookup('ES?assetClass=future');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ symbol: 'ES', assetClass: 'future', multiplier: '50', multiplierSource: 'futures_root', root: 'ES', known: true });
  });

  it('knows the micro contract (MES → 5), also from a contract-month symbol without an asset class', async () => {
    expect((await lookup('MES?assetClass=future')).json()).toMatchObject({ multiplier: '5', root: 'MES' });
    expect((await lookup('MESH6')).json()).toMatchObject({ assetClass: 'future', multiplier: '5', root: 'MES' });
  });

  it('takes a stock at multiplier 1', async () => {
    expect((await lookup('AAPL?assetClass=stock')).json()).toMatchObject({ symbol: 'AAPL', assetClass: 'stock', multiplier: '1', multiplierSource: 'default', known: true });
  });

  it('parses an OCC option symbol and assumes 100 per contract', async () => {
    const res = await lookup(encodeURIComponent('AAPL250117C00150000'));
    expect(res.json()).toMatchObject({ assetClass: 'option', multiplier: '100', underlying: 'AAPL', expiry: '2025-01-17', strike: '150', optionRight: 'call' });
  });

  it('says when it does not know a futures root', async () => {
    expect((await lookup('ZZZ?assetClass=future')).json()).toMatchObject({ multiplier: '1', known: false });
  });

  it('rejects an unknown asset class', async () => {
    const res = await lookup('AAPL?assetClass=bond');
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json(), 'validation_failed');
  });

  it('answers 401 without credentials', async () => {
    const res = await call(t, null, { method: 'GET', url: '/api/v1/instruments/ES' });
    expect(res.statusCode).toBe(401);
    expectEnvelope(res.json(), 'unauthenticated');
  });
});
