import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { TestApp, TestUser } from '../../helpers/app.js';
import { call } from '../../helpers/app.js';

export const FIXTURES = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../fixtures/imports');

export function fixture(broker: string, kind: 'ok' | 'not-ok', file: string): Buffer {
  return readFileSync(path.join(FIXTURES, broker, kind, file));
}

/** A multipart/form-data body: text fields, then the file part (or the file first with `fileFirst`). */
export function multipart(
  fields: Record<string, string>,
  file: { content: Buffer | string; name?: string; type?: string; field?: string } | null,
  options: { fileFirst?: boolean } = {},
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----tradesense${randomBytes(8).toString('hex')}`;
  const fieldParts = Object.entries(fields).map(([name, value]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  const fileParts = file
    ? [
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${file.field ?? 'file'}"; filename="${file.name ?? 'upload.csv'}"\r\nContent-Type: ${file.type ?? 'text/csv'}\r\n\r\n`,
        ),
        typeof file.content === 'string' ? Buffer.from(file.content) : file.content,
        Buffer.from('\r\n'),
      ]
    : [];
  const parts = options.fileFirst ? [...fileParts, ...fieldParts] : [...fieldParts, ...fileParts];
  return { payload: Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

export async function upload(t: TestApp, user: TestUser | null, fields: Record<string, string>, file: Parameters<typeof multipart>[1], url = '/api/v1/imports') {
  const body = multipart(fields, file);
  return call(t, user, { method: 'POST', url, payload: body.payload, headers: body.headers });
}

export interface ImportDetail {
  id: string;
  status: string;
  broker: string | null;
  progress: { rowsRead: number; bytesRead: number; totalBytes: number };
  counts: { rows: number; executions: number; executionsAdded: number; duplicatesSkipped: number; invalidRows: number; ignoredRows: number; accountsCreated: number };
  errors: { line: number; column: string | null; value: string | null; reason: string }[];
  failure: { code: string; message: string; details: Record<string, unknown> } | null;
  durationMs: number | null;
}

/** Polls GET /imports/:id until the import is done or failed. */
export async function waitForImport(t: TestApp, user: TestUser, id: string, timeoutMs = 25_000): Promise<ImportDetail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await call(t, user, { method: 'GET', url: `/api/v1/imports/${id}` });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as ImportDetail;
    if (body.status === 'done' || body.status === 'failed') return body;
    if (Date.now() > deadline) throw new Error(`import ${id} still ${body.status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Uploads and waits: the finished import. */
export async function importFile(t: TestApp, user: TestUser, fields: Record<string, string>, content: Buffer | string): Promise<ImportDetail> {
  const res = await upload(t, user, fields, { content });
  expect(res.statusCode, res.body).toBe(202);
  return waitForImport(t, user, res.json().id as string);
}

/** Every page of a list endpoint. */
export async function listAll<T>(t: TestApp, user: TestUser, url: string): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const res = await call(t, user, { method: 'GET', url: `${url}${sep}limit=500${cursor ? `&cursor=${cursor}` : ''}` });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { data: T[]; page: { nextCursor: string | null } };
    out.push(...body.data);
    cursor = body.page.nextCursor;
  } while (cursor);
  return out;
}

/** A TradeSense generic CSV from rows of cells (header included). */
export function tradesenseCsv(rows: readonly (readonly string[])[]): string {
  const header = 'account,executed_at,symbol,asset_class,side,quantity,price,commission,fees,broker_exec_id';
  return [header, ...rows.map((r) => r.join(','))].join('\n') + '\n';
}
