// Runs the compiled server as a child process on a loopback port, for the end-to-end tests that
// must kill and restart it. `buildServer()` compiles src/ first (as `npm run build` does, into
// its own dist-<name>/ beside dist/, so it never rewrites files another test is running from),
// so the tests always run the code under test.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ADMIN_TOKEN } from './app.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Compiles src/ into `<repo>/dist-<name>/` (the same depth as dist/, so contexts/ resolves). Returns its server.js. */
export async function buildServer(name: string): Promise<{ entry: string; remove(): void }> {
  const outDir = path.join(ROOT, `dist-${name}`);
  const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
  await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir, '--sourceMap', 'false'], { cwd: ROOT });
  return { entry: path.join(outDir, 'server.js'), remove: () => rmSync(outDir, { recursive: true, force: true }) };
}


export interface ChildServer {
  origin: string;
  child: ChildProcess;
  /** What the server wrote to stderr and stdout (for a failing test's message). */
  output(): string;
  /** Resolves with the exit signal or code once the process is gone. */
  exited: Promise<string>;
}

/** GET over http or https (trusting `ca`), resolving with the status code. */
function getStatus(url: string, ca?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : http;
    const request = client.get(url, ca ? { ca } : {}, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    request.on('error', reject);
  });
}

export async function startChildServer(options: { entry: string; dataDir: string; port: number; env?: Record<string, string>; tls?: { certFile: string; keyFile: string; ca: string } }): Promise<ChildServer> {
  const origin = `${options.tls ? 'https' : 'http'}://127.0.0.1:${options.port}`;
  const child = spawn(process.execPath, [options.entry], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(options.port),
      HOST: '127.0.0.1',
      BASE_URL: origin,
      EDUCRED_DATA_DIR: options.dataDir,
      EDUCRED_ADMIN_TOKEN: ADMIN_TOKEN,
      EDUCRED_RATE_LIMIT: '0',
      LOG_LEVEL: 'warn',
      ...(options.tls ? { EDUCRED_TLS_CERT_FILE: options.tls.certFile, EDUCRED_TLS_KEY_FILE: options.tls.keyFile } : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? String(code))));
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited at start:\n${output}`);
    try {
      if ((await getStatus(`${origin}/health`, options.tls?.ca)) === 200) break;
    } catch {
      // not listening yet
    }
    if (i > 300) throw new Error(`the server did not answer /health:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { origin, child, output: () => output, exited };
}

export function authorized(headers: Record<string, string> = {}): Record<string, string> {
  return { Authorization: `Bearer ${ADMIN_TOKEN}`, ...headers };
}
