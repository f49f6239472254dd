import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrayLiteral } from '../../src/platform/db/array-literal.js';
import type { TestApp } from '../helpers/app.js';
import { buildTestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

async function roundTrip(literal: string, type: string): Promise<unknown> {
  const result = await t.database.db.execute(sql`select array_to_json(${literal}::${sql.raw(type)}[])::text as value`);
  return JSON.parse((result as unknown as { rows: { value: string }[] }).rows[0]!.value);
}

describe('arrayLiteral', () => {
  it('gives the database back every text as it was, the ones the array syntax gives a meaning to included, and nulls as nulls', async () => {
    const texts = ['plain', '', 'NULL', 'null', ' padded ', 'a,b', '{braces}', 'say "hi"', 'back\\slash', '\\"', 'tab\there', 'new\nline', 'ünïcödé 😀', null];
    expect(await roundTrip(arrayLiteral(texts, 'text'), 'text')).toEqual(texts);
  });

  it('writes uuids, decimals, times and integers bare, and the database reads them as the values they are', async () => {
    const ids = ['0190b5a0-0000-7000-8000-000000000001', null, '0190b5a0-0000-7000-8000-00000000000f'];
    expect(arrayLiteral(ids, 'plain')).toBe('{0190b5a0-0000-7000-8000-000000000001,NULL,0190b5a0-0000-7000-8000-00000000000f}');
    expect(await roundTrip(arrayLiteral(ids, 'plain'), 'uuid')).toEqual(ids);
    const decimals = ['-0.000001', '123456789012345678901234.5', null, '0'];
    const read = await t.database.db.execute(sql`select (${arrayLiteral(decimals, 'plain')}::numeric[])::text[]::text as value`);
    expect((read as unknown as { rows: { value: string }[] }).rows[0]!.value).toBe('{-0.000001,123456789012345678901234.5,NULL,0}');
    const times = ['2024-01-08T14:31:00.123Z', '1999-12-31T23:59:59.000Z'];
    const stored = (await roundTrip(arrayLiteral(times, 'plain'), 'timestamptz')) as string[];
    expect(stored.map((s) => new Date(s).toISOString())).toEqual(times);
    expect(await roundTrip(arrayLiteral([1, -2, null, 9_007_199_254_740_991], 'plain'), 'bigint')).toEqual([1, -2, null, 9_007_199_254_740_991]);
    expect(await roundTrip(arrayLiteral([], 'text'), 'text')).toEqual([]);
  });
});
