/**
 * Receives a multipart import upload without holding the file in memory: the `file` part is
 * streamed to DATA_DIR/imports/<id>.upload while its bytes are counted and hashed and its first
 * bytes checked for binary content; the other parts are the form's text fields, in any order.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type {} from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { AppError, badRequest } from '../../platform/errors/app-error.js';
import { SNIFF_BYTES, binaryContentType, binaryReason } from './imports.domain.js';

export interface ReceivedUpload {
  /** Also the import's id when the upload becomes one. */
  id: string;
  path: string;
  fileName: string | null;
  bytes: number;
  sha256: string;
  fields: Record<string, string>;
  /** Deletes the spooled file (idempotent). */
  discard(): Promise<void>;
}

export const unsupportedMedia = (message: string, details: Record<string, unknown> = {}) => new AppError('UnsupportedMediaType', 'unsupported_file_type', message, details);
const fileTooLarge = (maxBytes: number) =>
  new AppError('PayloadTooLarge', 'file_too_large', `The file is larger than the ${maxBytes}-byte limit.`, { maxBytes });

/** Counts, hashes and inspects the bytes flowing to disk; refuses binary content at the first chunk that shows it. */
class Inspector extends Transform {
  bytes = 0;
  private readonly hash = createHash('sha256');
  private head = Buffer.alloc(0);
  private checked = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    if (!this.checked) {
      this.head = Buffer.concat([this.head, chunk.subarray(0, SNIFF_BYTES - this.head.length)]);
      const reason = binaryReason(this.head);
      if (reason !== null) {
        callback(unsupportedMedia(`${reason}. Upload the broker's CSV export.`));
        return;
      }
      this.checked = this.head.length >= SNIFF_BYTES;
    }
    callback(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

const FIELD_NAMES = new Set(['accountId', 'broker', 'timezone', 'onInvalid']);

export async function receiveUpload(request: FastifyRequest, options: { dir: string; maxFileBytes: number }): Promise<ReceivedUpload> {
  if (!request.isMultipart()) {
    throw unsupportedMedia('Send the file as multipart/form-data with a `file` part.', { contentType: request.headers['content-type'] ?? null });
  }
  await mkdir(options.dir, { recursive: true });
  const id = randomUUID();
  const file = path.join(options.dir, `${id}.upload`);
  const discard = () => rm(file, { force: true });
  const fields: Record<string, string> = {};
  let received: { bytes: number; sha256: string; fileName: string | null } | undefined;
  try {
    const parts = request.parts({ limits: { fileSize: options.maxFileBytes, files: 1, fields: 10, fieldSize: 1024, parts: 12 } });
    for await (const part of parts) {
      if (part.type === 'field') {
        if (!FIELD_NAMES.has(part.fieldname)) throw badRequest('unknown_field', `Unknown form field "${part.fieldname}".`, { field: part.fieldname, allowed: [...FIELD_NAMES, 'file'] });
        if (part.fieldname in fields) throw badRequest('duplicate_field', `The form field "${part.fieldname}" appears twice.`, { field: part.fieldname });
        if (part.valueTruncated || typeof part.value !== 'string') throw badRequest('invalid_field', `The form field "${part.fieldname}" is too long.`, { field: part.fieldname });
        fields[part.fieldname] = part.value;
        continue;
      }
      if (part.fieldname !== 'file') {
        part.file.resume();
        throw badRequest('unknown_field', `The file must be sent in the "file" part, not "${part.fieldname}".`, { field: part.fieldname });
      }
      if (binaryContentType(part.mimetype)) {
        part.file.resume();
        throw unsupportedMedia(`A ${part.mimetype} upload is not a CSV file.`, { contentType: part.mimetype });
      }
      const inspector = new Inspector();
      await pipeline(part.file, inspector, createWriteStream(file));
      if (part.file.truncated) throw fileTooLarge(options.maxFileBytes);
      received = { bytes: inspector.bytes, sha256: inspector.digest(), fileName: part.filename || null };
    }
  } catch (error) {
    await discard();
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw fileTooLarge(options.maxFileBytes);
    throw error;
  }
  if (!received) throw badRequest('file_required', 'The form has no `file` part.');
  if (received.bytes === 0) {
    await discard();
    throw badRequest('empty_file', 'The file is empty.');
  }
  return { id, path: file, fields, ...received, discard };
}
