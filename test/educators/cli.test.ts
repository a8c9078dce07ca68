// The mastery record commands of the `educred` CLI, run as the compiled bin against a local
// database: frameworks import (a CASE package with its rules), educators add|list|show,
// observe (awards when the rule holds), observations import FILE.csv (rows grouped into
// observations, bad rows by line number, a summary).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type Json = Record<string, any>;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'dist', 'cli.js');
const FIXTURES = fileURLToPath(new URL('../fixtures/frameworks/', import.meta.url));

let work: string;
const run = (args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: work, encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent', EDUCRED_DATA_DIR: path.join(work, 'data'), BASE_URL: 'http://localhost:3000', EDUCRED_SIGNING_WORKERS: '0' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, json: () => JSON.parse(r.stdout) as Json };
};

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'educred-mastery-cli-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('educred mastery record commands', { timeout: 180_000 }, () => {
  it('imports a CASE package with its rules, and refuses it a second time naming the code', () => {
    const ok = run(['frameworks', 'import', path.join(FIXTURES, 'case-clinical-practice.json'), '--rules', path.join(FIXTURES, 'case-clinical-practice.rules.json')]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.json()).toMatchObject({ code: 'example-clinical-practice', competencies: 3 });
    const again = run(['frameworks', 'import', path.join(FIXTURES, 'case-clinical-practice.json'), '--rules', path.join(FIXTURES, 'case-clinical-practice.rules.json')]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain("'example-clinical-practice'");
  });

  it('adds, lists and shows educators', () => {
    const added = run(['educators', 'add', '--name', 'Ana Lopez', '--email', 'ana@example.edu', '--external-id', 'S-1001', '--cohort', '2026']);
    expect(added.status, added.stderr).toBe(0);
    expect(added.json()).toMatchObject({ name: 'Ana Lopez', externalId: 'S-1001' });
    expect(run(['educators', 'add', '--name', 'Nobody']).status).toBe(1);
    expect(run(['educators', 'list', '--cohort', '2026']).json().map((e: Json) => e.externalId)).toEqual(['S-1001']);
    const shown = run(['educators', 'show', 'S-1001']).json();
    expect(shown.progress.find((p: Json) => p.achievement === 'CP.1' && p.level === 'proficient')).toMatchObject({ state: 'not-started', required: 3 });
  });

  it('observe records a lesson and awards when the rule holds', () => {
    const first = run(['observe', '--educator', 'S-1001', '--date', '2026-03-02', '--observer', 'Dr. Maya Rivera', '--rating', 'CP.1=proficient']);
    expect(first.status, first.stderr).toBe(0);
    expect(first.json().awarded).toEqual([]);
    run(['observe', '--educator', 'ana@example.edu', '--date', '2026-03-09', '--observer', 'Sam Okafor', '--rating', 'CP.1=proficient']);
    const third = run(['observe', '--educator', 'S-1001', '--date', '2026-03-16', '--observer', 'Dr. Maya Rivera', '--setting', 'online', '--rating', 'CP.1=distinguished', '--rating', 'CP.3=exemplary']);
    expect(third.json().awarded.map((a: Json) => `${a.achievement}@${a.level}`)).toEqual(['CP.1@proficient']);
    expect(run(['observe', '--educator', 'S-1001', '--date', '2026-03-17', '--observer', 'X', '--rating', 'CP.1']).status).toBe(1);
  });

  it('observations import: rows form observations, bad rows are named by line, the rest is recorded', () => {
    const csv = path.join(work, 'observations.csv');
    writeFileSync(
      csv,
      [
        'educator,date,observer,setting,achievement,level,narrative',
        'S-1001,2026-03-23,Dr. Maya Rivera,online,CP.3,proficient,Paths by progress',
        'S-1001,2026-03-23,Dr. Maya Rivera,online,CP.2,proficient,',
        'S-1001,2026-03-24,Dr. Maya Rivera,online,CP.2,stellar,',
        'S-9999,2026-03-24,Dr. Maya Rivera,online,CP.2,proficient,',
        'S-1001,not-a-date,Dr. Maya Rivera,online,CP.2,proficient,',
      ].join('\n'),
    );
    const r = run(['observations', 'import', csv]);
    expect(r.status).toBe(1);
    const summary = r.json();
    expect(summary).toMatchObject({ observations: 3, recorded: 1 });
    expect(summary.awarded.map((a: Json) => `${a.achievement}@${a.level}`)).toEqual(['CP.3@proficient']);
    expect(summary.problems.map((p: Json) => p.line)).toEqual([4, 5, 6]);
    expect(r.stderr).toMatch(/1 of 3 observations recorded, 1 badges awarded, 3 problems/);
  });
});
