/**
 * A set of UUID texts that keeps ids added in increasing order (the way this process makes them,
 * lib/ids.ts's uuidV7) as 16 bytes each in one buffer outside the JavaScript heap. A 1,000,000-row
 * import creates 500,000 trades whose ids are kept until its transaction commits (for the
 * trade.created events): as a Set of strings that was ≈ 40 MiB of long-lived objects spread over
 * the old generation, which V8 multiplied into several times that of heap (it lets the old
 * generation grow to a multiple of what survived the last full collection, and pages holding a few
 * of them stay committed); here it is 8 MiB of one buffer. Ids not in increasing order, or not in
 * the canonical lower-case form, go to an ordinary Set.
 */
const ID_BYTES = 16;
const CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Positions of the 32 hex digits in the 36-character text. */
const DIGIT_AT = Array.from({ length: 36 }, (_, i) => i).filter((i) => i !== 8 && i !== 13 && i !== 18 && i !== 23);
const HEX = '0123456789abcdef';

function hexValue(code: number): number {
  return code <= 57 ? code - 48 : code - 87;
}

export class UuidSet implements Iterable<string> {
  /** The ids added in increasing order, 16 bytes each, sorted; `count` of them are in use. */
  private sorted = Buffer.alloc(0);
  private count = 0;
  private last = '';
  /** Ids of the sorted part that were deleted. */
  private readonly removed = new Set<string>();
  /** Ids added out of order or not canonical. */
  private readonly others = new Set<string>();
  private readonly probe = Buffer.alloc(ID_BYTES);

  get size(): number {
    return this.count - this.removed.size + this.others.size;
  }

  add(id: string): this {
    if (id > this.last && CANONICAL.test(id) && !this.others.has(id)) {
      if ((this.count + 1) * ID_BYTES > this.sorted.length) {
        const grown = Buffer.alloc(Math.max(4096, this.sorted.length * 2));
        this.sorted.copy(grown, 0, 0, this.count * ID_BYTES);
        this.sorted = grown;
      }
      this.encode(id, this.sorted, this.count * ID_BYTES);
      this.count++;
      this.last = id;
    } else if (!this.has(id)) {
      this.others.add(id);
    }
    return this;
  }

  has(id: string): boolean {
    return this.others.has(id) || (this.indexOf(id) >= 0 && !this.removed.has(id));
  }

  delete(id: string): boolean {
    if (this.others.delete(id)) return true;
    if (this.indexOf(id) < 0 || this.removed.has(id)) return false;
    this.removed.add(id);
    return true;
  }

  *[Symbol.iterator](): Iterator<string> {
    for (let i = 0; i < this.count; i++) {
      const id = this.decode(i * ID_BYTES);
      if (!this.removed.has(id)) yield id;
    }
    yield* this.others;
  }

  /** The position of `id` in the sorted part (binary search), or −1. */
  private indexOf(id: string): number {
    if (this.count === 0 || id > this.last || !CANONICAL.test(id)) return -1;
    this.encode(id, this.probe, 0);
    let low = 0;
    let high = this.count - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const order = this.sorted.compare(this.probe, 0, ID_BYTES, mid * ID_BYTES, (mid + 1) * ID_BYTES);
      if (order === 0) return mid;
      if (order < 0) low = mid + 1;
      else high = mid - 1;
    }
    return -1;
  }

  private encode(id: string, into: Buffer, at: number): void {
    for (let i = 0; i < ID_BYTES; i++) {
      into[at + i] = (hexValue(id.charCodeAt(DIGIT_AT[2 * i]!)) << 4) | hexValue(id.charCodeAt(DIGIT_AT[2 * i + 1]!));
    }
  }

  private decode(at: number): string {
    let text = '';
    for (let i = 0; i < ID_BYTES; i++) {
      if (i === 4 || i === 6 || i === 8 || i === 10) text += '-';
      const byte = this.sorted[at + i]!;
      text += HEX[byte >> 4]! + HEX[byte & 15]!;
    }
    return text;
  }
}
