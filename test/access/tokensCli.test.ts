// `educred tokens list` and `educred tokens revoke <id>`, run as the compiled bin against a
// temporary data folder: listings never show a secret or hash, a revoked token is refused at
// once (the same database a server reads), revocations are audited, and the last active admin
// token cannot be revoked.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.js';
import { findToken } from '../../src/store/tokens.js';
import { buildServer } from '../helpers/childServer.js';

type Json = Record<string, any>;
let work: string;
let cli: string;
let removeBuild: () => void;

beforeAll(async () => {
  // Compiled into its own dist-<name>/ so that it never rewrites files another test runs from.
  const built = await buildServer('tokens-cli');
  cli = path.join(path.dirname(built.entry), 'cli.js');
  removeBuild = built.remove;
  work = mkdtempSync(path.join(tmpdir(), 'educred-tokens-cli-'));
}, 120_000);
afterAll(() => {
  removeBuild();
  rmSync(work, { recursive: true, force: true });
});

function educred(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, EDUCRED_DATA_DIR: path.join(work, 'data'), BASE_URL: 'http://localhost:3000', LOG_LEVEL: 'silent' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
const created = (name: string, scopes: string): Json => {
  const run = educred(['tokens', 'create', '--name', name, '--scopes', scopes]);
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Json;
};
const withDb = <T>(use: (db: ReturnType<typeof openDatabase>) => T): T => {
  const db = openDatabase(path.join(work, 'data', 'educred.sqlite'));
  try {
    return use(db);
  } finally {
    db.close();
  }
};

describe('educred tokens list', () => {
  it('lists every token with id, name, scopes and times (--json), never a secret or hash', { timeout: 120_000 }, () => {
    const admin = created('ops admin', 'admin');
    const importer = created('registrar import', 'issue,revoke');
    const run = educred(['tokens', 'list', '--json']);
    expect(run.status, run.stderr).toBe(0);
    const listed = JSON.parse(run.stdout) as Json[];
    expect(listed).toEqual([
      { id: admin.id, name: 'ops admin', scopes: ['admin'], origin: 'cli', createdAt: expect.stringMatching(/^\d{4}-/), revokedAt: null },
      { id: importer.id, name: 'registrar import', scopes: ['issue', 'revoke'], origin: 'cli', createdAt: expect.stringMatching(/^\d{4}-/), revokedAt: null },
    ]);
    const hashes = withDb((db) => db.prepare('SELECT token_hash FROM api_tokens').pluck().all() as string[]);
    for (const secret of [admin.token, importer.token, ...hashes]) expect(run.stdout).not.toContain(secret);

    const text = educred(['tokens', 'list']);
    expect(text.status).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(importer.id);
    expect(lines[1]).toContain('active');
    expect(lines[1]).toContain('issue,revoke');
    expect(lines[1]).toContain('registrar import');
  });
});

describe('educred tokens revoke', () => {
  it('revokes a token at once, audited as the CLI', { timeout: 120_000 }, () => {
    const victim = created('old kiosk', 'issue');
    expect(withDb((db) => findToken(db, victim.token as string))?.id).toBe(victim.id);
    const run = educred(['tokens', 'revoke', victim.id as string]);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ id: victim.id, name: 'old kiosk', revokedAt: expect.stringMatching(/^\d{4}-/), changed: true });
    expect(withDb((db) => findToken(db, victim.token as string))).toBeUndefined();
    const audit = withDb((db) => db.prepare("SELECT actor, action FROM audit_events WHERE subject = ? ORDER BY id").all(`token:${victim.id}`));
    expect(audit).toEqual([
      { actor: 'cli', action: 'token.created' },
      { actor: 'cli', action: 'token.revoked' },
    ]);
    const listed = (JSON.parse(educred(['tokens', 'list', '--json']).stdout) as Json[]).find((t) => t.id === victim.id);
    expect(listed?.revokedAt).toEqual(expect.stringMatching(/^\d{4}-/));
  });

  it('fails with a clear message for an unknown id and for the last active admin token', { timeout: 120_000 }, () => {
    const unknown = educred(['tokens', 'revoke', 'no-such-token']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain("No token 'no-such-token'");

    const admins = (JSON.parse(educred(['tokens', 'list', '--json']).stdout) as Json[]).filter((t) => t.scopes.includes('admin') && t.revokedAt === null);
    expect(admins).toHaveLength(1);
    const last = educred(['tokens', 'revoke', admins[0]!.id as string]);
    expect(last.status).toBe(1);
    expect(last.stderr).toMatch(/last active admin token/);
    expect(withDb((db) => db.prepare('SELECT revoked_at FROM api_tokens WHERE id = ?').pluck().get(admins[0]!.id))).toBeNull();
  });
});
