// Evidence that cannot be real does not meet the mastery rule (issue "Every flow a user touches",
// defect 8): the rule counts observations on distinct dates, and no observation may be dated
// after the award (the award's UTC date plus one day, for time zones ahead of UTC).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awardBody, createTestInstance, masteryEvidence, observation, postJson, type TestInstance } from '../helpers/app.js';

type Json = Record<string, any>;

// The award is made at 2026-06-10T22:30Z: in UTC+2 the educator's calendar already says 06-11.
const NOW = new Date('2026-06-10T22:30:00Z');
let t: TestInstance;
beforeAll(async () => {
  t = await createTestInstance({ configure: (deps) => ({ ...deps, now: () => NOW }) });
});
afterAll(async () => t.close());

let n = 0;
const recipient = (): Json => ({ id: `did:example:evidence-dates-${++n}` });

const refused = async (evidence: unknown[]): Promise<Json> => {
  const before = await t.runtime.store.awards.count();
  const res = await postJson(t.app, '/awards', awardBody({ recipient: recipient(), evidence }));
  expect(res.status).toBe(422);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(await t.runtime.store.awards.count()).toBe(before);
  const body = (await res.json()) as Json;
  expect(body.type).toBe('urn:educred:problem:mastery-not-met');
  return body;
};

describe('the mastery rule counts observations on distinct dates', () => {
  it('refuses five observations on the same day by the same observer, saying how many distinct dates were given', async () => {
    const body = await refused(Array.from({ length: 5 }, () => observation('proficient', '2026-03-02')));
    expect(body.missing).toEqual([
      { requirement: 'minObservations', field: 'evidence', detail: 'at least 5 observations are required on distinct dates; 1 distinct date given (5 observations)' },
    ]);
    expect(body.detail).toContain('5 observations are required on distinct dates; 1 distinct date given');
  });

  it('counts several observations on one day once: six observations on four dates fall short', async () => {
    const evidence = [...masteryEvidence(4), { ...observation('exemplary', '2026-03-01'), observer: 'Sam Okafor' }, observation('proficient', '2026-03-02')];
    const body = await refused(evidence);
    expect(body.missing).toEqual([
      { requirement: 'minObservations', field: 'evidence', detail: 'at least 5 observations are required on distinct dates; 4 distinct dates given (6 observations)' },
    ]);
  });

  it('awards five observations on five dates, with a co-observed lesson on one of them', async () => {
    const evidence = [...masteryEvidence(5), { ...observation('proficient', '2026-03-03'), observer: 'Sam Okafor' }];
    const res = await postJson(t.app, '/awards', awardBody({ recipient: recipient(), evidence }));
    expect(res.status).toBe(201);
    expect(((await res.json()) as Json).credential.evidence).toHaveLength(6);
  });
});

describe('no observation is dated after the award', () => {
  it('refuses an observation dated in the future, naming its field', async () => {
    const evidence = [...masteryEvidence(3), observation('proficient', '2026-09-01'), observation('proficient', '2026-03-04')];
    const body = await refused(evidence);
    expect(body.missing).toEqual([
      {
        requirement: 'notAfterAward',
        field: 'evidence[3].date',
        detail: 'evidence[3].date (2026-09-01) is after the award (2026-06-10 UTC): an observation cannot be dated in the future',
      },
    ]);
    expect(body.errors).toEqual([{ pointer: '/evidence/3/date', detail: expect.stringContaining('evidence[3].date (2026-09-01)') }]);
  });

  it('accepts an observation dated the day after the award in UTC (a time zone ahead of UTC), refuses two days after', async () => {
    const ahead = await postJson(t.app, '/awards', awardBody({ recipient: recipient(), evidence: [...masteryEvidence(4), observation('proficient', '2026-06-11')] }));
    expect(ahead.status).toBe(201);
    const body = await refused([...masteryEvidence(4), observation('proficient', '2026-06-12')]);
    expect(body.missing.map((m: Json) => m.field)).toEqual(['evidence[4].date']);
  });

  it('lists every problem in one answer: the future date, the lack of distinct dates and a level below the rule', async () => {
    const evidence = [observation('proficient', '2026-03-01'), observation('proficient', '2026-03-01'), observation('developing', '2026-03-02'), observation('proficient', '2027-01-01')];
    const body = await refused(evidence);
    expect(body.missing.map((m: Json) => [m.requirement, m.field])).toEqual([
      ['minObservations', 'evidence'],
      ['minLevel', 'evidence[2].level'],
      ['notAfterAward', 'evidence[3].date'],
    ]);
  });
});
