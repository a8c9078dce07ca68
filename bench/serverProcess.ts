// Starts educred as its own process on a 127.0.0.1 port with a temporary data folder, for the
// latency benchmark (and nothing else shares its event loop). Runs the source through tsx (no
// build needed) or a compiled entry (bench/speed.ts compiles what it compares). Several processes can
// be one deployment (bench/databases.ts: two nodes on one PostgreSQL): `keysFrom` copies another
// process's keys/ folder (issuer key, claim-link secret) into this one's data folder first.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/helpers/ports.js';

export const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';

export interface ServerProcess {
  origin: string;
  pid: number;
  /** Its data folder (keys/ holds what the nodes of one deployment share). */
  dataDir: string;
  /** Peak resident memory of the server process so far (Linux VmHWM), MiB; undefined elsewhere. */
  peakRssMiB(): number | undefined;
  stop(): Promise<void>;
}


async function waitForHealth(origin: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${origin}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the server did not answer /health within 60 s');
}

export interface ServerProcessOptions {
  keysFrom?: string | undefined;
  /** A compiled server to run instead of this checkout's source (bench/speed.ts: an earlier commit, built). */
  compiledEntry?: string | undefined;
}

export async function startServerProcess(env: Record<string, string> = {}, options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'educred-bench-server-'));
  if (options.keysFrom) cpSync(path.join(options.keysFrom, 'keys'), path.join(dataDir, 'keys'), { recursive: true });
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const entry = fileURLToPath(new URL('../src/server.ts', import.meta.url));
  const child = spawn(process.execPath, options.compiledEntry ? [options.compiledEntry] : ['--import', 'tsx', entry], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      BASE_URL: origin,
      EDUCRED_DATA_DIR: dataDir,
      EDUCRED_ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
      EDUCRED_RATE_LIMIT: '0',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitForHealth(origin, child);
  const pid = child.pid ?? 0;
  return {
    origin,
    pid,
    dataDir,
    peakRssMiB() {
      try {
        const kb = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
        return kb ? Math.round(Number(kb) / 1024) : undefined;
      } catch {
        return undefined;
      }
    },
    async stop() {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
