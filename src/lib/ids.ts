import { randomFillSync } from 'node:crypto';

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
/** Byte positions in the 36-character text, dashes at 8, 13, 18 and 23. */
const AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const text = Buffer.from('00000000-0000-0000-0000-000000000000', 'latin1');
/** Random bytes drawn 4 KiB at a time: one call into the system's generator per 256 ids, not one per id. */
const pool = Buffer.alloc(4096);
let offset = pool.length;
let lastMs = 0;
let counter = 0;

/**
 * A time-ordered UUID (version 7, RFC 9562), the layout of the database's uuid_v7() (migration
 * 0006): 48 bits of Unix milliseconds, the version and variant bits, then random bits. Ids made
 * by this process increase strictly (RFC 9562's method 1: within one millisecond the 12 bits
 * after the version count up from a random start, and a full count moves on to the next
 * millisecond), so the rows of one large insert append to the id indexes in order.
 */
export function uuidV7(): string {
  if (offset + 16 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const b = pool.subarray(offset, offset + 16);
  offset += 16;
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    counter = ((b[6]! & 0x07) << 8) | b[7]!;
  } else if (++counter > 0xfff) {
    lastMs++;
    counter = 0;
  }
  let t = lastMs;
  for (let i = 5; i >= 0; i--) {
    b[i] = t % 256;
    t = Math.floor(t / 256);
  }
  b[6] = 0x70 | (counter >> 8);
  b[7] = counter & 0xff;
  b[8] = (b[8]! & 0x3f) | 0x80;
  for (let i = 0; i < 16; i++) {
    text[AT[i]!] = HEX_DIGITS[b[i]! >> 4]!;
    text[AT[i]! + 1] = HEX_DIGITS[b[i]! & 15]!;
  }
  // One flat string: a template of 16 parts would be a tree of string pieces, several times the memory of an id kept for events.
  return text.toString('latin1');
}
