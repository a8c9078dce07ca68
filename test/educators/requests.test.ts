// The bodies of the educator routes (the interface contract of issue 14) and the CSV import of
// observations: what is refused and where, and how rows form observations.
import { mkdtempSync, copyFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CsvFormatError } from '../../src/awards/batchCsv.js';
import { FrameworkInvalidError } from '../../src/competencies/errors.js';
import { loadFrameworkDocument, loadFrameworksDir } from '../../src/competencies/frameworkFiles.js';
import { observationsFromCsv } from '../../src/educators/observationsCsv.js';
import { AssessmentRequestSchema, EducatorRequestSchema, ObservationRequestSchema, recordProblems, WithdrawRequestSchema } from '../../src/educators/requests.js';

const firstIssue = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) => {
  expect(result.success).toBe(false);
  const issue = result.error!.issues[0]!;
  return { path: issue.path.join('.'), message: issue.message };
};

describe('POST /educators bodies', () => {
  it('refuses an educator with neither email nor DID', () => {
    expect(firstIssue(EducatorRequestSchema.safeParse({ name: 'Ana Lopez' }))).toEqual({ path: 'email', message: 'an educator needs an "email" or a "did"' });
  });
  it('refuses an unknown property and a DID with a fragment', () => {
    expect(EducatorRequestSchema.safeParse({ name: 'Ana', email: 'ana@example.edu', role: 'x' }).success).toBe(false);
    expect(firstIssue(EducatorRequestSchema.safeParse({ name: 'Ana', did: 'did:example:ana#key-1' })).path).toBe('did');
  });
  it('accepts name, email, DID, externalId and cohort', () => {
    expect(EducatorRequestSchema.parse({ name: ' Ana Lopez ', email: 'ana@example.edu', externalId: 'S-1001', cohort: '2026' }).name).toBe('Ana Lopez');
    expect(EducatorRequestSchema.safeParse({ name: 'Ana', did: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK' }).success).toBe(true);
  });
});

describe('observation and assessment bodies', () => {
  const lesson = { date: '2026-03-02', observer: 'Dr. Maya Rivera', setting: 'online', ratings: [{ achievement: 'formative-assessment', level: 'proficient' }] };
  it('refuses an observation that rates nothing, an unknown setting, a bad date', () => {
    expect(firstIssue(ObservationRequestSchema.safeParse({ ...lesson, ratings: [] })).path).toBe('ratings');
    expect(firstIssue(ObservationRequestSchema.safeParse({ ...lesson, setting: 'hybrid' }))).toEqual({ path: 'setting', message: 'must be one of in-person, online, blended' });
    expect(firstIssue(ObservationRequestSchema.safeParse({ ...lesson, date: '2026-02-30' })).path).toBe('date');
  });
  it('refuses sharing with one educator twice', () => {
    expect(firstIssue(ObservationRequestSchema.safeParse({ ...lesson, sharedWith: ['e1', 'e1'] })).message).toBe('names an educator twice');
  });
  it('refuses a score above its maximum, and a maximum of 0', () => {
    const a = { date: '2026-03-02', name: 'Unit 3 exam', achievements: ['formative-assessment'], score: 51, maxScore: 50 };
    expect(firstIssue(AssessmentRequestSchema.safeParse(a))).toEqual({ path: 'score', message: 'must not exceed maxScore' });
    expect(firstIssue(AssessmentRequestSchema.safeParse({ ...a, score: 0, maxScore: 0 })).path).toBe('maxScore');
  });
  it('a withdrawal needs a reason', () => {
    expect(firstIssue(WithdrawRequestSchema.safeParse({ reason: '  ' })).path).toBe('reason');
  });
  it('refuses a record shared with its own educator, or dated two days ahead of UTC', () => {
    const now = new Date('2026-03-10T12:00:00Z');
    expect(recordProblems('e1', { date: '2026-03-11', sharedWith: ['e2'] }, now)).toEqual([]);
    expect(recordProblems('e1', { date: '2026-03-12', sharedWith: ['e1'] }, now).map((p) => p.field)).toEqual(['sharedWith', 'date']);
  });
});

describe('educred observations import FILE.csv', () => {
  const header = 'educator,date,observer,setting,achievement,level,narrative';

  it('refuses a header without a required column, and an unknown column', () => {
    expect(() => observationsFromCsv('educator,date,achievement,level\nS-1,2026-03-02,formative-assessment,proficient')).toThrowError(/no 'observer' column/);
    expect(() => observationsFromCsv(`${header},grade\n`)).toThrowError(CsvFormatError);
  });

  it('groups the rows of one educator, date and observer into one observation, keeping their lines', () => {
    const csv = [
      header,
      'S-1001,2026-03-02,Dr. Maya Rivera,online,formative-assessment,proficient,Exit tickets',
      'S-1001,2026-03-02,Dr. Maya Rivera,online,data-informed-instruction,exemplary,',
      'ana.lopez@example.edu,2026-03-09,Dr. Maya Rivera,,formative-assessment,proficient,',
      'S-1001,2026-03-02,Sam Okafor,online,formative-assessment,proficient,',
    ].join('\n');
    const { observations, problems } = observationsFromCsv(csv);
    expect(problems).toEqual([]);
    expect(observations.map((o) => [o.educator, o.lines, o.body.ratings.length])).toEqual([
      ['S-1001', [2, 3], 2],
      ['ana.lopez@example.edu', [4], 1],
      ['S-1001', [5], 1],
    ]);
    expect(observations[0]?.body).toEqual({
      date: '2026-03-02',
      observer: 'Dr. Maya Rivera',
      setting: 'online',
      ratings: [
        { achievement: 'formative-assessment', level: 'proficient', narrative: 'Exit tickets' },
        { achievement: 'data-informed-instruction', level: 'exemplary' },
      ],
    });
  });

  it('reports bad rows by their line and keeps the good ones', () => {
    const csv = [
      header,
      'S-1001,2026-03-02,Dr. Maya Rivera,online,formative-assessment,proficient,',
      'S-1001,2026-03-02,Dr. Maya Rivera,in-person,aligned-instruction,proficient,',
      'S-1001,2026-03-02,Dr. Maya Rivera,online,formative-assessment,exemplary,',
      'S-1002,03/02/2026,Dr. Maya Rivera,online,formative-assessment,proficient,',
      'S-1003,2026-03-02,,online,formative-assessment,proficient,',
      '"S-1004",2026-03-02,Sam Okafor,studio,formative-assessment,proficient,"two',
      'lines"',
      'S-1005,2026-03-03,Sam Okafor,online,formative-assessment,proficient,',
    ].join('\n');
    const { observations, problems } = observationsFromCsv(csv);
    expect(problems.map((p) => p.line)).toEqual([3, 4, 5, 6, 7]);
    expect(problems[0]?.detail).toBe("line 3: setting 'in-person' differs from 'online' on line 2 of the same observation (educator, date and observer)");
    expect(problems[1]?.detail).toBe("line 4: 'formative-assessment' is rated twice in the observation of line 2");
    expect(problems[2]?.detail).toBe('line 5: date must be a calendar date, YYYY-MM-DD');
    expect(problems[3]?.detail).toBe('line 6: observer is empty');
    expect(observations.map((o) => o.lines)).toEqual([[2], [9]]);
  });
});

describe('frameworks from files (EDUCRED_FRAMEWORKS_DIR)', () => {
  const fixtures = new URL('../fixtures/frameworks/', import.meta.url).pathname;

  it('loads framework JSON and CASE packages, a CASE package with its rules file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'educred-frameworks-'));
    try {
      copyFileSync(path.join(fixtures, 'program-framework.json'), path.join(dir, 'a-program.json'));
      copyFileSync(path.join(fixtures, 'case-clinical-practice.json'), path.join(dir, 'b-clinical.json'));
      copyFileSync(path.join(fixtures, 'case-clinical-practice.rules.json'), path.join(dir, 'b-clinical.rules.json'));
      writeFileSync(path.join(dir, 'notes.txt'), 'not a framework');
      const loaded = loadFrameworksDir(dir);
      expect(loaded.map((l) => [l.framework.code, l.framework.competencies.length])).toEqual([
        ['granite-team-practice', 2],
        ['example-clinical-practice', 3],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the file of a framework it cannot load', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'educred-frameworks-'));
    try {
      writeFileSync(path.join(dir, 'broken.json'), '{"code": ');
      expect(() => loadFrameworksDir(dir)).toThrowError(FrameworkInvalidError);
      expect(() => loadFrameworksDir(dir)).toThrowError(/broken\.json is not a valid framework: \/ is not readable JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a side file of rules with framework JSON', () => {
    expect(() => loadFrameworkDocument({ code: 'x' }, { masteryRule: { minObservations: 1, minLevel: 'proficient' } })).toThrowError(/side file are for a CASE package/);
  });
});
