import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCompressedJson } from '../../src/platform/http/compressed-json.js';
import type { TestApp, TestUser } from '../helpers/app.js';
import { buildTestApp, call, createUser } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

async function addTrade(user: TestUser, accountId: string, day: number, exit: string) {
  const res = await call(t, user, {
    method: 'POST',
    url: '/api/v1/trades',
    payload: {
      accountId,
      symbol: 'AAPL',
      assetClass: 'stock',
      fills: [
        { executedAt: `2026-03-${String(day).padStart(2, '0')}T14:30:00Z`, side: 'buy', quantity: '10', price: '100', commission: '1' },
        { executedAt: `2026-03-${String(day).padStart(2, '0')}T15:30:00Z`, side: 'sell', quantity: '10', price: exit, commission: '1' },
      ],
    },
  });
  expect(res.statusCode).toBe(201);
}

const list = (user: TestUser, acceptEncoding?: string) =>
  call(t, user, { method: 'GET', url: '/api/v1/trades?limit=50', headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding } });

describe('cached JSON answers', () => {
  it('go compressed as the client accepts, equal to the plain answer, and never stale after a write', async () => {
    const user = await createUser(t);
    const account = await call(t, user, { method: 'POST', url: '/api/v1/accounts', payload: { name: 'Main', broker: 'other', currency: 'USD' } });
    const accountId = (account.json() as { id: string }).id;
    for (let day = 2; day <= 6; day++) await addTrade(user, accountId, day, '101');

    const plain = await list(user);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.length).toBeGreaterThan(t.config.http.compressThresholdBytes);

    const br = await list(user, 'gzip, deflate, br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(String(br.headers.vary)).toMatch(/accept-encoding/i);
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(plain.body);
    // The second hit is the kept copy: the same bytes.
    expect((await list(user, 'br')).rawPayload.equals(br.rawPayload)).toBe(true);

    const gz = await list(user, 'br;q=0, gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(plain.body);
    expect((await list(user, 'identity')).headers['content-encoding']).toBeUndefined();

    await addTrade(user, accountId, 9, '95');
    const after = await list(user);
    expect(after.body).not.toBe(plain.body);
    expect((after.json() as { data: unknown[] }).data).toHaveLength(6);
    expect(brotliDecompressSync((await list(user, 'br')).rawPayload).toString()).toBe(after.body);
    expect(gunzipSync((await list(user, 'gzip')).rawPayload).toString()).toBe(after.body);
  });
});

describe('the compressed copies', () => {
  it('keep the most recently used texts within their byte budget', () => {
    const copies = createCompressedJson({ maxBytes: 3_000, brotliQuality: 4, thresholdBytes: 10 });
    const texts = ['a', 'b', 'c', 'd'].map((c) => JSON.stringify({ v: c.repeat(1_000) }));
    const first = copies.compress(texts[0]!, 'gzip');
    copies.compress(texts[1]!, 'gzip');
    expect(copies.compress(texts[0]!, 'gzip')).toBe(first);
    copies.compress(texts[2]!, 'gzip');
    copies.compress(texts[3]!, 'gzip');
    expect(copies.stats().bytes).toBeLessThanOrEqual(3_000);
    expect(copies.stats().entries).toBe(2);
    // texts[0] was used after texts[1], so texts[1] went first; texts[0] went next.
    expect(copies.compress(texts[0]!, 'gzip')).not.toBe(first);
    expect(gunzipSync(copies.compress(texts[3]!, 'gzip')).toString()).toBe(texts[3]);
  });

  it('answer no encoding below the threshold or for a client that accepts none of them', () => {
    const copies = createCompressedJson({ maxBytes: 1_000, brotliQuality: 4, thresholdBytes: 100 });
    expect(copies.negotiate('x'.repeat(99), 'br')).toBeNull();
    expect(copies.negotiate('x'.repeat(100), 'br')).toBe('br');
    expect(copies.negotiate('x'.repeat(100), 'deflate, identity')).toBeNull();
    expect(copies.negotiate('x'.repeat(100), undefined)).toBeNull();
  });
});
