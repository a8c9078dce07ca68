// The bulk CLI commands, run in-process against a temporary data folder: `educred issue --csv`
// (progress on stderr, a summary, resumable by batch id) and `educred tokens create`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError } from '../../src/cli/io.js';
import { csvExitCode, issueCsvFromCli } from '../../src/cli/issueCsv.js';
import { createTokenFromCli } from '../../src/cli/tokens.js';
import { sql } from 'kysely';
import { openStore } from '../../src/store/store.js';
import { CSV_HEADER, csvBatch } from '../helpers/batch.js';

let work: string;
const saved: Record<string, string | undefined> = {};
const ENV = { EDUCRED_DATA_DIR: '', EDUCRED_SIGNING_WORKERS: '1', LOG_LEVEL: 'silent', BASE_URL: 'http://localhost:3000' };

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'educred-cli-bulk-'));
  ENV.EDUCRED_DATA_DIR = path.join(work, 'data');
  // issueCsvFromCli reads its configuration from the environment, as the CLI does.
  for (const [key, value] of Object.entries(ENV)) {
    saved[key] = process.env[key];
    process.env[key] = value;
  }
});
afterAll(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  rmSync(work, { recursive: true, force: true });
});

function progressSink(): { lines: string[]; write(text: string): void } {
  const lines: string[] = [];
  return { lines, write: (text: string) => void lines.push(text) };
}

describe('educred issue --csv', () => {
  it('awards every good row, reports the bad one by line, shows progress, and re-runs without issuing twice', async () => {
    const file = path.join(work, 'spring.csv');
    writeFileSync(file, csvBatch(30) + 'not-an-email,Nobody,formative-assessment,2026-03-01|Dr K|proficient\n');
    const progress = progressSink();
    const first = await issueCsvFromCli({ csv: file }, progress);
    expect(first.counts).toMatchObject({ issued: 30, invalid: 1, pending: 0 });
    expect(first.problems).toEqual([{ line: 32, state: 'invalid', detail: expect.stringContaining('/recipient/email') }]);
    expect(first.batchId).toMatch(/^csv-[0-9a-f]{24}$/);
    expect(csvExitCode(first)).toBe(2);
    expect(progress.lines.at(-1)).toContain('100% 31/31');

    const again = await issueCsvFromCli({ csv: file }, progressSink());
    expect(again.batchId).toBe(first.batchId);
    expect(again.counts).toMatchObject({ issued: 0, existing: 30, invalid: 1 });
  });

  it('issues revocable badges: every CSV award carries one revocation status entry, recorded in a status list', async () => {
    const file = path.join(work, 'status.csv');
    writeFileSync(file, csvBatch(3, 700));
    expect((await issueCsvFromCli({ csv: file }, progressSink())).counts).toMatchObject({ issued: 3 });
    const store = await openStore({ engine: 'sqlite', file: path.join(ENV.EDUCRED_DATA_DIR, 'educred.sqlite') });
    try {
      const { rows } = await sql<{ id: string; credential_json: string; entries: number }>`SELECT a.id, a.credential_json, COUNT(e.list_index) AS entries FROM awards a LEFT JOIN status_entries e ON e.award_id = a.id WHERE a.recipient_email IN ('educator700@example.edu', 'educator701@example.edu', 'educator702@example.edu') GROUP BY a.id`.execute(store.kysely);
      expect(rows).toHaveLength(3);
      for (const row of rows) {
        const credential = JSON.parse(row.credential_json) as { credentialStatus?: { type: string; statusPurpose: string } };
        expect(credential.credentialStatus).toMatchObject({ type: 'BitstringStatusListEntry', statusPurpose: 'revocation' });
        expect(Number(row.entries)).toBe(1);
      }
    } finally {
      await store.close();
    }
  });

  it('uses the given --batch-id and exits 0 when every row is awarded', async () => {
    const file = path.join(work, 'clean.csv');
    writeFileSync(file, csvBatch(3, 500));
    const summary = await issueCsvFromCli({ csv: file, batchId: 'fall-2026' }, progressSink());
    expect(summary).toMatchObject({ batchId: 'fall-2026', total: 3, counts: { issued: 3 } });
    expect(csvExitCode(summary)).toBe(0);
  });

  it('fails with one clear message for an unreadable file, a bad header, invalid UTF-8 or no awardable row', async () => {
    const bad = (name: string, content: string | Uint8Array): string => {
      const file = path.join(work, name);
      writeFileSync(file, content);
      return file;
    };
    await expect(issueCsvFromCli({ csv: path.join(work, 'missing.csv') })).rejects.toThrow(/Cannot read/);
    await expect(issueCsvFromCli({ csv: bad('header.csv', 'email,achievement\nx,y\n') })).rejects.toThrow(/Unknown column 'email'/);
    await expect(issueCsvFromCli({ csv: bad('latin1.csv', new Uint8Array([...Buffer.from(CSV_HEADER + '\n'), 0xe9, 0x0a])) })).rejects.toThrow(/not valid UTF-8/);
    await expect(issueCsvFromCli({ csv: bad('none.csv', `${CSV_HEADER}\nx,y,z,w\n`) }, progressSink())).rejects.toThrow(/No row .* can be awarded:\n {2}line 2:/);
    await expect(issueCsvFromCli({ csv: bad('ok.csv', csvBatch(1)), batchId: '../x' })).rejects.toBeInstanceOf(CliError);
  });
});

describe('educred tokens create', () => {
  it('creates a scoped token, printed once and stored hashed', async () => {
    const created = await createTokenFromCli({ name: 'registrar import', scopes: 'issue,revoke' }, { ...process.env });
    expect(created).toMatchObject({ name: 'registrar import', scopes: ['issue', 'revoke'] });
    const store = await openStore({ engine: 'sqlite', file: path.join(ENV.EDUCRED_DATA_DIR, 'educred.sqlite') });
    try {
      expect(await store.tokens.find(created.token)).toMatchObject({ name: 'registrar import', scopes: ['issue', 'revoke'] });
      expect(JSON.stringify((await sql`SELECT * FROM api_tokens`.execute(store.kysely)).rows)).not.toContain(created.token);
    } finally {
      await store.close();
    }
  });

  it('refuses unknown scopes and a missing name', async () => {
    await expect(createTokenFromCli({ name: 'x', scopes: 'issue,root' })).rejects.toThrow(/Unknown scope 'root'/);
    await expect(createTokenFromCli({ name: ' ', scopes: 'issue' })).rejects.toThrow(/--name/);
    await expect(createTokenFromCli({ name: 'x', scopes: '' })).rejects.toThrow(/--scopes/);
  });
});
