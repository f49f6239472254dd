import { Negotiator } from '@fastify/accept-negotiator';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

export type Encoding = 'br' | 'gzip';

/**
 * Compressed copies of the JSON texts that cached answers send (analytics results, trades list
 * pages): a dashboard asks for the same few answers again and again, each tens of kilobytes,
 * and compressing one again on every request cost more CPU than everything else the request
 * did. Keyed by the text itself, so a copy can never be stale (a changed answer is a different
 * text); the least recently used texts' copies go first once `maxBytes` (texts and copies) is
 * reached.
 */
export function createCompressedJson({ maxBytes, brotliQuality, thresholdBytes }: { maxBytes: number; brotliQuality: number; thresholdBytes: number }) {
  const negotiator = new Negotiator({ supportedValues: ['br', 'gzip'] });
  // By text (the same string object on every hit of the in-process cache, so its hash is computed once), then encoding.
  const copies = new Map<string, Partial<Record<Encoding, Buffer>>>();
  let bytes = 0;

  function remember(json: string, encoding: Encoding, copy: Buffer) {
    let entry = copies.get(json);
    if (!entry) {
      entry = {};
      copies.set(json, entry);
      bytes += json.length;
    }
    if (entry[encoding]) return;
    entry[encoding] = copy;
    bytes += copy.length;
    for (const [oldJson, old] of copies) {
      if (bytes <= maxBytes) break;
      copies.delete(oldJson);
      bytes -= oldJson.length + (old.br?.length ?? 0) + (old.gzip?.length ?? 0);
    }
  }

  return {
    /** The encoding to send `json` with for this `accept-encoding`, if any: none below the threshold; q-values respected, `br` preferred. */
    negotiate(json: string, acceptEncoding: string | undefined): Encoding | null {
      if (json.length < thresholdBytes || acceptEncoding === undefined || acceptEncoding === '') return null;
      return negotiator.negotiate(acceptEncoding) as Encoding | null;
    },

    /**
     * `json` compressed with `encoding`: from the copies when they hold it, else compressed and
     * kept. Synchronously: a text is compressed once (≈ 1–2 ms for 70 KB), where handing each
     * miss to the thread pool let a burst of concurrent first requests queue hundreds of
     * identical jobs behind each other.
     */
    compress(json: string, encoding: Encoding): Buffer {
      const entry = copies.get(json);
      const known = entry?.[encoding];
      if (entry && known) {
        // Most recently used last: eviction walks from the front.
        copies.delete(json);
        copies.set(json, entry);
        return known;
      }
      const copy =
        encoding === 'br'
          ? brotliCompressSync(json, { params: { [zlib.BROTLI_PARAM_QUALITY]: brotliQuality, [zlib.BROTLI_PARAM_SIZE_HINT]: json.length } })
          : gzipSync(json);
      remember(json, encoding, copy);
      return copy;
    },

    stats: () => ({ entries: copies.size, bytes }),
  };
}
