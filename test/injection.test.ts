/**
 * SQL-injection strings in every free-text field of the ledger and journal are stored and
 * returned verbatim, and never executed (the tables they name still answer afterwards).
 * The auth fields have their own tests in test/modules/auth.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp, TestUser } from './helpers/app.js';
import { buildTestApp, call, createUser } from './helpers/app.js';
import { addRoundTrip, createAccount } from './modules/executions/ledger-helpers.js';

const PAYLOADS = ["'); DROP TABLE trades;--", "' OR '1'='1", 'Robert"); DELETE FROM executions; --', '$1; TRUNCATE users CASCADE'];

let t: TestApp;
let user: TestUser;
beforeAll(async () => {
  t = await buildTestApp();
  user = await createUser(t);
});
afterAll(() => t.close());

async function tablesStillThere() {
  for (const table of ['users', 'accounts', 'executions', 'trades', 'tags', 'playbooks', 'journal_entries']) {
    const result = (await t.database.db.execute(sql.raw(`select count(*) as n from ${table}`))) as unknown as { rows: { n: unknown }[] };
    expect(Number(result.rows[0]!.n)).toBeGreaterThanOrEqual(0);
  }
}

describe.each(PAYLOADS)('the text %s', (text) => {
  it('is stored verbatim in account, execution, trade, tag, playbook and journal fields', async () => {
    const account = await call(t, user, { method: 'POST', url: '/api/v1/accounts', payload: { name: text, broker: text, brokerAccountId: text } });
    expect(account.statusCode, account.body).toBe(201);
    expect(account.json()).toMatchObject({ name: text, broker: text, brokerAccountId: text });
    const accountId = await createAccount(t, user, { name: `plain ${Math.random()}` });

    const execution = await call(t, user, {
      method: 'POST',
      url: '/api/v1/executions',
      payload: { accountId, executedAt: '2025-01-02T15:00:00Z', symbol: 'AAPL', assetClass: 'stock', side: 'buy', quantity: '1', price: '10', brokerExecId: text },
    });
    expect(execution.statusCode, execution.body).toBe(201);
    expect(execution.json().brokerExecId).toBe(text);

    const trade = await addRoundTrip(t, user, accountId, { symbol: 'MSFT', openAt: '2025-01-02T15:00:00Z', closeAt: '2025-01-02T16:00:00Z', entry: '1', exit: '2' });
    const notes = await call(t, user, { method: 'PATCH', url: `/api/v1/trades/${trade.id}`, payload: { notes: text } });
    expect(notes.statusCode, notes.body).toBe(200);
    expect(notes.json().notes).toBe(text);

    const tag = await call(t, user, { method: 'POST', url: '/api/v1/tags', payload: { name: `${text} ${Math.random()}` } });
    expect(tag.statusCode, tag.body).toBe(201);
    expect(tag.json().name.startsWith(text.trim())).toBe(true);

    const playbook = await call(t, user, { method: 'POST', url: '/api/v1/playbooks', payload: { name: `${text} ${Math.random()}`, description: text, rules: [{ text }] } });
    expect(playbook.statusCode, playbook.body).toBe(201);
    expect(playbook.json()).toMatchObject({ description: text, rules: [{ text }] });

    const journal = await call(t, user, { method: 'PUT', url: '/api/v1/journal/2025-01-02', payload: { content: text } });
    expect(journal.statusCode, journal.body).toBe(200);
    expect(journal.json().content).toBe(text);

    const filtered = await call(t, user, { method: 'GET', url: `/api/v1/trades?symbol=${encodeURIComponent(text)}` });
    expect(filtered.statusCode).toBe(200);
    expect(filtered.json().data).toEqual([]);

    await tablesStillThere();
  });
});
