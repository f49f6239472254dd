import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startServer, waitReady } from '../helpers/process.js';

describe('the server process', () => {
  it('refuses to start on invalid configuration, naming the variable', { timeout: 60_000 }, async () => {
    const server = startServer({ PORT: 'eighty' });
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('Invalid configuration: PORT must be a whole number');
  });

  it('finishes a request in flight on SIGTERM, refuses new connections, and exits 0', { timeout: 120_000 }, async () => {
    const server = startServer();
    await waitReady(server, 90_000);

    // A request whose body is still arriving when the signal comes.
    const body = JSON.stringify({ email: 'nobody@example.test', password: 'x'.repeat(12) });
    const url = new URL(`${server.baseUrl}/api/v1/health`);
    const inFlight = new Promise<number>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: '/api/v1/does-not-exist', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        server.child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(10)), 300);
      }, 100);
    });

    expect(await inFlight).toBe(404);
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('shut down cleanly');
    await expect(fetch(`${server.baseUrl}/api/v1/health`)).rejects.toThrow();
  });
});
