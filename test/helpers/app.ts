// Builds an isolated educred instance for a test: its own temporary data folder, database,
// generated key and admin token, driven with app.request() (or served on 127.0.0.1 by serve()).
// It is built by the composition root the server uses (src/service.ts), so it runs the product
// as `npm start` does: status lists on, the same batch runner, the same claim links. What it
// changes is explicit below (signing in this thread, no rate limit) or asked for by a test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createServer as createHttpsServer } from 'node:https';
import { serve, type ServerType } from '@hono/node-server';
import { pino } from 'pino';
import type { Hono } from 'hono';
import type { AppDeps } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { ensureAdminToken, type Runtime } from '../../src/runtime.js';
import { createService } from '../../src/service.js';
import { freePort } from './ports.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export interface TestInstance {
  app: Hono;
  runtime: Runtime;
  deps: AppDeps;
  config: Readonly<Config>;
  dataDir: string;
  close(): Promise<void>;
}

export interface TestInstanceOptions {
  env?: Record<string, string>;
  /** Adjusts the dependencies before the app is built (e.g. a rate limit keyed by a test header); say why. */
  configure?: (deps: AppDeps, runtime: Runtime) => AppDeps | Promise<AppDeps>;
  /** Receives every log line (JSON) the instance writes; without it the instance is silent. */
  logLines?: string[];
}

export async function createTestInstance(options: TestInstanceOptions = {}): Promise<TestInstance> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'educred-test-'));
  const config = loadConfig({
    EDUCRED_DATA_DIR: dataDir,
    EDUCRED_ADMIN_TOKEN: ADMIN_TOKEN,
    BASE_URL: 'http://localhost:3000',
    LOG_LEVEL: 'silent',
    // Signing on the test's own thread: a worker pool per instance would cost a second each;
    // the pool has its own tests (test/bulk/signingPool.test.ts) and the end-to-end tests run it.
    EDUCRED_SIGNING_WORKERS: '0',
    // No per-client limit on the public routes unless a test asks for one (test/access/).
    EDUCRED_RATE_LIMIT: '0',
    ...options.env,
  });
  const lines = options.logLines;
  // The service's own logger (redaction, request ids), writing into the test's array.
  const logger = lines ? createLogger('trace', { write: (line: string) => void lines.push(line) }) : pino({ level: 'silent' });
  const service = await createService(config, logger, { adjust: options.configure });
  const { runtime, deps, app } = service;
  await ensureAdminToken(runtime.store, config.adminToken);
  return {
    app,
    runtime,
    deps,
    config,
    dataDir,
    async close() {
      await service.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Serves an app on an ephemeral 127.0.0.1 port; returns its origin. */
export async function serveOnLoopback(fetch: (request: Request) => Response | Promise<Response>): Promise<{ origin: string; server: ServerType; close(): Promise<void> }> {
  return new Promise((resolve) => {
    const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      resolve({
        origin: `http://127.0.0.1:${info.port}`,
        server,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

/** A test instance whose BASE_URL is its real loopback address, so its URLs resolve. */
export async function createServedInstance(options: TestInstanceOptions & { tls?: { cert: string; key: string } } = {}): Promise<TestInstance & { origin: string }> {
  // Reserve a port first: the credentials must carry the address they are served from.
  return serveInstanceOn(await freePort(), options);
}

/** Serves a new instance on a given loopback port (HTTPS with `tls`), e.g. one its did:web names. */
export async function serveInstanceOn(port: number, options: TestInstanceOptions & { tls?: { cert: string; key: string } } = {}): Promise<TestInstance & { origin: string }> {
  const origin = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const instance = await createTestInstance({ ...options, env: { BASE_URL: origin, ...options.env } });
  const served = await new Promise<ServerType>((resolve) => {
    const s = serve(
      { fetch: instance.app.fetch, port, hostname: '127.0.0.1', ...(options.tls ? { createServer: createHttpsServer, serverOptions: options.tls } : {}) },
      () => resolve(s),
    );
  });
  return {
    ...instance,
    origin,
    async close() {
      await new Promise<void>((done) => served.close(() => done()));
      await instance.close();
    },
  };
}


export const observation = (level = 'proficient', date = '2026-03-01') => ({
  kind: 'observation',
  date,
  observer: 'Dr. Maya Rivera',
  level,
  narrative: 'Used exit tickets to regroup students for the next lesson.',
});

export const masteryEvidence = (n = 5, level = 'proficient') =>
  Array.from({ length: n }, (_, i) => observation(level, `2026-03-0${(i % 9) + 1}`));

export function awardBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    recipient: { id: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', name: 'Ana Lopez' },
    achievement: 'formative-assessment',
    evidence: masteryEvidence(),
    ...overrides,
  };
}

export function postJson(app: TestInstance['app'], url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(
    app.request(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ADMIN_TOKEN}`, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}
