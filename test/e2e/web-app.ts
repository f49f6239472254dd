import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { buildTestApp } from '../helpers/app.js';
import { launchBrowser } from './browser.js';
import { ensureWebBuilt } from './web-build.js';

export interface WebApp {
  t: TestApp;
  browser: Browser;
  /** http://localhost:<port>: browsers accept Secure cookies over plain http only on localhost. */
  base: string;
  close(): Promise<void>;
}

/** The API process serving the built web app on a free port, and a headless Chromium to drive it. */
export async function startWebApp(): Promise<WebApp> {
  const distDir = await ensureWebBuilt();
  const t = await buildTestApp({ WEB_DIST_DIR: distDir });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://localhost:${(t.app.server.address() as AddressInfo).port}`;
  const browser = await launchBrowser();
  return {
    t,
    browser,
    base,
    async close() {
      await browser.close();
      await t.close();
    },
  };
}

/** A test file's web app: started before its tests, closed after them. Read its fields inside tests. */
export function useWebApp(): WebApp {
  const web = {} as WebApp;
  beforeAll(async () => {
    Object.assign(web, await startWebApp());
  });
  afterAll(() => web.close?.());
  return web;
}
