import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../src/lib/paths.js';
import { TEST_JWT_SECRET, TEST_RATE_LIMITS } from './app.js';

export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
  output: () => string;
  exited: Promise<number | null>;
  /** The DATA_DIR it runs on (a fresh one unless the caller gave one). */
  dataDir: string;
}

// Below Linux's ephemeral range (32768–60999), where an outgoing connection's local port could already hold it.
let nextPort = 10_000 + Math.floor(Math.random() * 22_000);

/** Starts `src/server.ts` as a real process (via tsx) with the test database settings; `nodeArgs` go before the script. */
export function startServer(env: Record<string, string | undefined> = {}, options: { nodeArgs?: string[] } = {}): ServerProcess {
  const port = nextPort++;
  const dataDir = env.DATA_DIR ?? mkdtempSync(path.join(tmpdir(), 'tradesense-proc-'));
  const child = spawn(process.execPath, ['--import', 'tsx', ...(options.nodeArgs ?? []), path.join(projectRoot, 'src/server.ts')], {
    cwd: projectRoot,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      LOG_PRETTY: 'false',
      PORT: String(port),
      HOST: '127.0.0.1',
      JWT_SECRET: TEST_JWT_SECRET,
      DATA_DIR: dataDir,
      DATABASE_URL: process.env.DATABASE_URL,
      REDIS_URL: process.env.REDIS_URL,
      // As in testConfig: a loaded test machine must not shed the test's requests, and the
      // default limits would answer one test 429 for the requests of others.
      SHED_EVENT_LOOP_DELAY_MS: '0',
      ...TEST_RATE_LIMITS,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, baseUrl: `http://127.0.0.1:${port}`, output: () => out, exited, dataDir };
}

export async function waitReady(server: ServerProcess, timeoutMs = 30_000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (server.child.exitCode !== null) throw new Error(`server exited early: ${server.output()}`);
    try {
      const res = await fetch(`${server.baseUrl}/api/v1/health/ready`);
      if (res.status === 200) return Date.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`server not ready within ${timeoutMs} ms: ${server.output()}`);
}
