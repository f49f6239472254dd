/**
 * Occurrence numbers of identical fills within one file, counted while the file is parsed: the
 * first row of a group with a given content digest is 1, the next identical one 2, and so on.
 * The content hash of an execution without a broker id is its account, its content key and this
 * number, so two genuine identical fills are both kept and importing the file again adds neither.
 *
 * A group stands for the account the rows land in: '' for the form's account (and for rows naming
 * the form account's broker account id, which route there), else the account reference the rows
 * name. Each group keeps 96 bits of every digest in an open-addressing table of typed arrays
 * (16 bytes a slot, at most half full), outside the JavaScript heap: a Map of a million key
 * strings would need about 100 MB of a worker whose heap is capped at 128 MB.
 */

const WORDS = 3;

class DigestCounts {
  private keys: Uint32Array;
  private counts: Uint32Array;
  private mask: number;
  private size = 0;

  constructor(capacity: number) {
    this.keys = new Uint32Array(capacity * WORDS);
    this.counts = new Uint32Array(capacity);
    this.mask = capacity - 1;
  }

  next(a: number, b: number, c: number): number {
    const { keys, counts, mask } = this;
    for (let slot = a & mask; ; slot = (slot + 1) & mask) {
      const count = counts[slot]!;
      if (count === 0) {
        keys[slot * WORDS] = a;
        keys[slot * WORDS + 1] = b;
        keys[slot * WORDS + 2] = c;
        counts[slot] = 1;
        if (++this.size * 2 > counts.length) this.grow();
        return 1;
      }
      if (keys[slot * WORDS] === a && keys[slot * WORDS + 1] === b && keys[slot * WORDS + 2] === c) {
        counts[slot] = count + 1;
        return count + 1;
      }
    }
  }

  private grow(): void {
    const { keys, counts } = this;
    this.keys = new Uint32Array(counts.length * 2 * WORDS);
    this.counts = new Uint32Array(counts.length * 2);
    this.mask = this.counts.length - 1;
    for (let from = 0; from < counts.length; from++) {
      if (counts[from] === 0) continue;
      let slot = keys[from * WORDS]! & this.mask;
      while (this.counts[slot] !== 0) slot = (slot + 1) & this.mask;
      this.keys.set(keys.subarray(from * WORDS, from * WORDS + WORDS), slot * WORDS);
      this.counts[slot] = counts[from]!;
    }
  }
}

export class OccurrenceCounter {
  private readonly groups = new Map<string, DigestCounts>();

  constructor(private readonly initialCapacity = 1024) {
    if (initialCapacity < 2 || (initialCapacity & (initialCapacity - 1)) !== 0) throw new RangeError('initialCapacity must be a power of two ≥ 2');
  }

  /** The occurrence number of this content digest (at least 12 bytes, e.g. a SHA-256) in this group. */
  next(group: string, digest: Uint8Array): number {
    let counts = this.groups.get(group);
    if (counts === undefined) {
      counts = new DigestCounts(this.initialCapacity);
      this.groups.set(group, counts);
    }
    const view = new DataView(digest.buffer, digest.byteOffset, digest.byteLength);
    return counts.next(view.getUint32(0, true), view.getUint32(4, true), view.getUint32(8, true));
  }
}
