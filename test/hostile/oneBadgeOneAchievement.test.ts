// A badge attests one achievement. It is in a trust scope only when its achievement is (its own
// id or humanCode, or a framework alignment naming that same code), never because of other
// alignments it lists; and one badge satisfies at most one requirement of an approval rule.
// The attack: an endorser trusted only for formative-assessment, and a program's
// formative-assessment badge listing alignments to the three other online-teaching competencies.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchesCompetency } from '../../src/verify/trustPolicy.js';
import { awardBody, createServedInstance, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';
import { createKeyHolder, presentationOf, type KeyHolder } from '../helpers/proofSets.js';

type Json = Record<string, any>;
type Served = TestInstance & { origin: string };
const OTHERS = ['personalized-blended-online', 'differentiated-support', 'data-informed-instruction'];
const CHALLENGE = 'c-1';
const DOMAIN = 'verifier.example';
const FOREIGN_ID = 'https://state-b.example/achievements/data-informed-instruction';

let agency: Served;
let program: Served;
let verifier: TestInstance;
let educator: KeyHolder;
let endorsement: Json;

beforeAll(async () => {
  [agency, program] = await Promise.all([createServedInstance(), createServedInstance()]);
  const endorsed = await postJson(agency.app, '/endorsements', { issuer: program.runtime.issuer.identity.did, issuerName: 'Program P' });
  expect(endorsed.status).toBe(201);
  const body = (await endorsed.json()) as Json;
  endorsement = body.credential ?? body;
  const scratch = mkdtempSync(path.join(tmpdir(), 'educred-scope-'));
  const policyFile = path.join(scratch, 'policy.json');
  writeFileSync(
    policyFile,
    JSON.stringify({
      name: 'scoped',
      trustedEndorsers: [{ id: agency.runtime.issuer.identity.did, name: 'State A', scope: [{ code: 'formative-assessment' }] }],
      approvalRules: [
        {
          id: 'twice',
          name: 'The same achievement named twice',
          requires: [{ code: 'formative-assessment' }, { alignment: `${program.origin}/frameworks/instructional-competencies#formative-assessment` }],
        },
        { id: 'by-id', name: 'Named by an achievement id', requires: [{ achievement: FOREIGN_ID }] },
      ],
    }),
  );
  verifier = await createTestInstance({ env: { EDUCRED_TRUST_POLICY: policyFile, EDUCRED_FETCH_ALLOW_PRIVATE: 'true' } });
  educator = await createKeyHolder();
});
afterAll(async () => {
  await Promise.all([agency?.close(), program?.close(), verifier?.close()]);
});

const awarded = new Map<string, Json>();
/** The program's badge for `code` (awarded once: one badge per recipient and achievement). */
async function awardedBadge(code: string): Promise<Json> {
  if (!awarded.has(code)) {
    const res = await postJson(program.app, '/awards', awardBody({ recipient: { id: educator.did, name: 'Ana Lopez' }, achievement: code }));
    expect(res.status).toBe(201);
    awarded.set(code, ((await res.json()) as Json).credential);
  }
  return structuredClone(awarded.get(code) as Json);
}

/** A badge of the program for `code` (its own id), endorsed by the agency, with extra alignments, signed by the program. */
async function badge(code: string, extraAlignments: Json[] = []): Promise<Json> {
  const { proof: _proof, ...credential } = await awardedBadge(code);
  credential.id = `urn:uuid:${randomUUID()}`;
  credential.issuer = { ...credential.issuer, endorsement: [endorsement] };
  const achievement = credential.credentialSubject.achievement;
  achievement.alignment = [...achievement.alignment, ...extraAlignments];
  return program.runtime.issuer.sign(credential);
}

const alignmentTo = (code: string, host = 'https://frameworks.elsewhere.example') => ({ type: ['Alignment'], targetName: code, targetUrl: `${host}/competencies#${code}`, targetType: 'ceasn:Competency' });

async function present(credentials: Json[], rule: string): Promise<Json> {
  const vp = await educator.sign(presentationOf(credentials, educator.did), { challenge: CHALLENGE, domain: DOMAIN });
  const res = await postJson(verifier.app, '/presentations/verify', { verifiablePresentation: vp, options: { challenge: CHALLENGE, domain: DOMAIN, rule } });
  return (await res.json()) as Json;
}

describe('a badge attests one achievement', () => {
  it('the control: a formative-assessment badge is trusted through the scoped endorsement and satisfies its one requirement', async () => {
    const body = await present([await badge('formative-assessment')], 'online-teaching');
    expect(body.report.checks.map((c: Json) => [c.check, c.passed])).toEqual([
      ['presentation_structure', true],
      ['presentation_proof', true],
      ['holder_binding', true],
      ['credentials', true],
    ]);
    expect(body.report.credentials[0].trust).toMatchObject({ trusted: true, via: 'endorsement' });
    expect(body.approval.requirements.filter((r: Json) => r.satisfied).map((r: Json) => r.requirement)).toEqual(['3. Formative Assessment']);
  });

  it('extra alignments do not make a badge satisfy other requirements of a rule', async () => {
    const loaded = await badge('formative-assessment', OTHERS.map((code) => alignmentTo(code)));
    const body = await present([loaded], 'online-teaching');
    expect(body.report.credentials[0].verified).toBe(true);
    expect(body.approval.approved).toBe(false);
    expect(body.approval.requirements.filter((r: Json) => r.satisfied).map((r: Json) => r.requirement)).toEqual(['3. Formative Assessment']);
    expect(body.approval.missing.map((r: Json) => r.requirement)).toEqual(['7. Personalized, Blended and Online Learning', '1. Differentiated Support', '5. Data-Informed Instruction']);
  });

  it('a badge is in a scope only when its achievement is: an alignment to the scoped competency does not bring another badge in', async () => {
    const outside = await badge('differentiated-support', [alignmentTo('formative-assessment'), alignmentTo('formative-assessment', `${program.origin}/frameworks/instructional-competencies`)]);
    const body = await present([outside], 'online-teaching');
    const trust = body.report.credentials[0].trust;
    expect(trust.trusted).toBe(false);
    expect(trust.reason).toMatch(/accepts its endorsements only for other competencies/);
    expect(body.approval.requirements.filter((r: Json) => r.satisfied)).toEqual([]);
  });

  it('a badge trusted through a scope meets only requirements that name it as the scope does: not by another achievement id it claims', async () => {
    const { proof: _proof, ...credential } = await awardedBadge('formative-assessment');
    credential.id = `urn:uuid:${randomUUID()}`;
    credential.issuer = { ...credential.issuer, endorsement: [endorsement] };
    credential.credentialSubject.achievement.id = FOREIGN_ID;
    const claimed = await program.runtime.issuer.sign(credential);
    const body = await present([claimed], 'by-id');
    expect(body.report.credentials[0].trust.trusted).toBe(true);
    expect(body.approval.approved).toBe(false);
    expect(body.approval.missing[0].reason).toMatch(/trusted only for formative-assessment/);
  });

  it('one badge satisfies at most one requirement of a rule, even when two requirements name its achievement', async () => {
    const one = await badge('formative-assessment');
    const single = await present([one], 'twice');
    expect(single.approval.approved).toBe(false);
    expect(single.approval.requirements.map((r: Json) => r.satisfied)).toEqual([true, false]);
    expect(single.approval.missing[0].reason).toMatch(/already counts for formative-assessment: one badge attests one achievement/);
    // Two badges of that achievement: one for each requirement.
    const two = await present([one, await badge('formative-assessment')], 'twice');
    expect(two.approval.approved).toBe(true);
    expect(new Set(two.approval.requirements.map((r: Json) => r.credentialId)).size).toBe(2);
  });
});

describe('matchesCompetency reads the achievement, not any alignment a badge lists', () => {
  const own = { id: 'https://p.example/achievements/formative-assessment', humanCode: 'formative-assessment', alignment: [{ targetUrl: 'https://p.example/frameworks/f#formative-assessment' }, { targetUrl: 'https://x.example/f#data-informed-instruction' }] };
  it('a code names the humanCode, or for an achievement without one the code of its only alignment', () => {
    expect(matchesCompetency(own, { code: 'formative-assessment' })).toBe(true);
    expect(matchesCompetency(own, { code: 'data-informed-instruction' })).toBe(false);
    expect(matchesCompetency({ alignment: [{ targetUrl: 'https://x.example/f#formative-assessment' }] }, { code: 'formative-assessment' })).toBe(true);
    const listing = { alignment: [{ targetUrl: 'https://x.example/f#formative-assessment' }, { targetUrl: 'https://x.example/f#data-informed-instruction' }] };
    expect(matchesCompetency(listing, { code: 'formative-assessment' })).toBe(false);
    expect(matchesCompetency(listing, { code: 'data-informed-instruction' })).toBe(false);
  });
  it('an alignment names the framework node of the achievement: one naming its humanCode, or its only alignment when it has no humanCode', () => {
    expect(matchesCompetency(own, { alignment: 'https://p.example/frameworks/f#formative-assessment' })).toBe(true);
    expect(matchesCompetency(own, { alignment: 'https://x.example/f#data-informed-instruction' })).toBe(false);
    expect(matchesCompetency({ alignment: [{ targetUrl: 'https://x.example/f#n1' }] }, { alignment: 'https://x.example/f#n1' })).toBe(true);
    expect(matchesCompetency({ alignment: [{ targetUrl: 'https://x.example/f#n1' }, { targetUrl: 'https://x.example/f#n2' }] }, { alignment: 'https://x.example/f#n1' })).toBe(false);
  });
  it('an achievement id names that id', () => {
    expect(matchesCompetency(own, { achievement: own.id })).toBe(true);
    expect(matchesCompetency(own, { achievement: 'https://p.example/achievements/other' })).toBe(false);
  });
});
