import { describe, expect, it } from 'vitest';
import { binaryContentType, binaryReason, contentDigest, decodeImportCursor, encodeImportCursor } from '../../../src/modules/imports/imports.domain.js';

const fill = { executedAt: new Date('2024-01-08T14:31:00.000Z'), symbol: 'AAPL', instrumentKey: 'AAPL', side: 'buy' as const, quantity: '10', price: '180.5', commission: '1', fees: '0' };

describe('binaryReason', () => {
  it('accepts UTF-8 CSV text, with or without a BOM', () => {
    expect(binaryReason(Buffer.from('\ufeffdate,symbol\n2024-01-05,AAPL\n'))).toBeNull();
    expect(binaryReason(Buffer.from('Symbol,Name\nAAPL,Äpfel “quoted”\n'))).toBeNull();
  });

  it('names zip, xls, pdf and gzip signatures and refuses NUL bytes', () => {
    expect(binaryReason(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14]))).toMatch(/ZIP/);
    expect(binaryReason(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))).toMatch(/Office/);
    expect(binaryReason(Buffer.from('%PDF-1.7\n'))).toMatch(/PDF/);
    expect(binaryReason(Buffer.from([0x1f, 0x8b, 0x08]))).toMatch(/gzip/);
    expect(binaryReason(Buffer.from('a,b\u0000c'))).toMatch(/NUL/);
  });
});

describe('binaryContentType', () => {
  it('refuses only types that are surely not CSV text', () => {
    for (const type of ['text/csv', 'application/vnd.ms-excel', 'application/octet-stream', 'text/plain; charset=utf-8', undefined]) expect(binaryContentType(type)).toBe(false);
    for (const type of ['image/png', 'application/pdf', 'application/zip', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet']) expect(binaryContentType(type)).toBe(true);
  });
});

describe('contentDigest', () => {
  const contentKey = (e: Parameters<typeof contentDigest>[0]) => contentDigest(e).toString('base64url');
  it('is the same for the same fill and differs when any part of it differs', () => {
    expect(contentKey(fill)).toBe(contentKey({ ...fill }));
    for (const change of [{ quantity: '11' }, { price: '180.51' }, { fees: '-0.01' }, { commission: '0' }, { side: 'sell' as const }, { symbol: 'MSFT', instrumentKey: 'MSFT' }, { executedAt: new Date('2024-01-08T14:31:00.001Z') }]) {
      expect(contentKey({ ...fill, ...change })).not.toBe(contentKey(fill));
    }
  });
});

describe('import cursors', () => {
  it('round-trip and refuse garbage', () => {
    const cursor = { createdAt: '2024-01-08 14:31:00.123456+00', id: '0b5c4a4e-8f43-4f0b-9a3b-5b9a7c5f2c11' };
    expect(decodeImportCursor(encodeImportCursor(cursor))).toEqual(cursor);
    expect(decodeImportCursor('nonsense')).toBeNull();
    expect(decodeImportCursor(Buffer.from('["yesterday","x"]').toString('base64url'))).toBeNull();
  });
});
