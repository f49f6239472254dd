/**
 * The worker thread of one import's parsing (started by imports.pipeline.ts): reads the spooled
 * file, runs imports.staging's stageFile and posts each COPY batch to the main thread, which
 * writes it and answers 'ack'. At most MAX_UNACKED batches are out at a time, so parsing runs
 * ahead of the database by a bounded amount. The main thread ends the worker when it is done
 * with it (terminate), whatever the outcome.
 */
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { parsingFailure, stageFile } from './imports.staging.js';
import type { StagingJob } from './imports.staging.js';
import type { ParseWorkerMessage } from './imports.pipeline.js';

/** Batches posted and not yet written: the ones being written and one ready behind them. */
const MAX_UNACKED = 3;

const port = parentPort!;
const job = workerData as StagingJob & { file: string };
const post = (message: ParseWorkerMessage) => port.postMessage(message);

let unacked = 0;
let resume: (() => void) | undefined;
port.on('message', (message: unknown) => {
  if (message !== 'ack') return;
  unacked--;
  resume?.();
  resume = undefined;
});

try {
  const outcome = await stageFile(createReadStream(job.file, { highWaterMark: 256 * 1024 }), job, {
    async batch(copy, _rows, progress) {
      while (unacked >= MAX_UNACKED) await new Promise<void>((resolve) => (resume = resolve));
      unacked++;
      // Moved to the main thread (not copied): the bytes stay outside its heap until written.
      port.postMessage({ type: 'batch', copy, progress } satisfies ParseWorkerMessage, [copy.buffer]);
    },
    progress(progress) {
      post({ type: 'progress', progress });
    },
  });
  post({ type: 'done', outcome });
} catch (error) {
  const failure = parsingFailure(error);
  if (failure) post({ type: 'failed', failure });
  else post({ type: 'crashed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
}
