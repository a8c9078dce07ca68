// The holder of a presentation is only a key whose own proof verified, with the verifier's
// challenge and domain checked on that same proof. Proof sets are the attack: a first proof
// naming the victim's key with a garbage signature and the verifier's challenge, next to a
// valid authentication proof by the attacker's own key. Through every door a presentation
// comes in: POST /presentations/verify, the verify page, `educred verify`, and the claim
// exchange's DID authentication.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyFromCli } from '../../src/cli/verify.js';
import { ADMIN_TOKEN, awardBody, createServedInstance, type TestInstance } from '../helpers/app.js';
import { createKeyHolder, forgedProofFor, presentationOf, withProofs, type KeyHolder } from '../helpers/proofSets.js';

type Json = Record<string, any>;
const ONLINE_TEACHING = ['personalized-blended-online', 'differentiated-support', 'formative-assessment', 'data-informed-instruction'];
const CHALLENGE = 'verifier-challenge-1';
const DOMAIN = 'licensure.example';
const BROWSER = 'text/html,application/xhtml+xml';

let t: TestInstance & { origin: string };
let victim: KeyHolder;
let attacker: KeyHolder;
let badges: Json[];
let scratch: string;
let policyFile: string;

beforeAll(async () => {
  t = await createServedInstance();
  [victim, attacker] = await Promise.all([createKeyHolder(), createKeyHolder()]);
  badges = [];
  for (const achievement of ONLINE_TEACHING) {
    const res = await t.app.request('/awards', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify(awardBody({ recipient: { id: victim.did, name: 'Victim' }, achievement })),
    });
    expect(res.status).toBe(201);
    badges.push(((await res.json()) as Json).credential);
  }
  scratch = mkdtempSync(path.join(tmpdir(), 'educred-holder-'));
  policyFile = path.join(scratch, 'policy.json');
  writeFileSync(policyFile, JSON.stringify({ name: 'test', trustedIssuers: [{ id: t.runtime.issuer.identity.did }] }));
});
afterAll(async () => t.close());

/**
 * The forged sets over a presentation of `credentials`: the victim's key with a garbage
 * signature and the verifier's challenge, first, last, and between the attacker's valid proofs
 * (one for the challenge, one for another), with the victim named as holder or no holder named.
 */
async function forgedSets(credentials: unknown[], challenge: string, domain: string): Promise<Array<{ name: string; vp: Json }>> {
  const sets: Array<{ name: string; vp: Json }> = [];
  for (const holder of [victim.did, undefined]) {
    const unsigned = presentationOf(credentials, holder);
    const signed = await attacker.sign(unsigned, { challenge, domain });
    const valid = signed.proof as Json;
    const forged = forgedProofFor(valid, victim.did);
    const other = (await attacker.sign(unsigned, { challenge: 'another-challenge', domain })).proof as Json;
    const label = holder === undefined ? 'no holder named' : 'the victim named as holder';
    sets.push({ name: `forged first, ${label}`, vp: withProofs(unsigned, [forged, valid]) });
    sets.push({ name: `forged last, ${label}`, vp: withProofs(unsigned, [valid, forged]) });
    sets.push({ name: `mixed, ${label}`, vp: withProofs(unsigned, [other, forged, valid]) });
  }
  return sets;
}

const genuinePresentation = () => victim.sign(presentationOf(badges, victim.did), { challenge: CHALLENGE, domain: DOMAIN });

const apiVerify = async (vp: Json): Promise<Json> => {
  const res = await t.app.request('/presentations/verify', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ verifiablePresentation: vp, options: { challenge: CHALLENGE, domain: DOMAIN, rule: 'online-teaching' } }),
  });
  return { status: res.status, ...((await res.json()) as Json) };
};
const checkOf = (body: Json, name: string): Json | undefined => (body.report.checks as Json[]).find((c) => c.check === name);

describe('the holder is only a key whose own proof verified', () => {
  it('a genuine presentation by the victim is verified and approved (the control)', async () => {
    const body = await apiVerify(await genuinePresentation());
    expect(body.status).toBe(200);
    expect(body.report.holder).toBe(victim.did);
    expect(body.approval.approved).toBe(true);
  });

  it('POST /presentations/verify refuses forged-first, forged-last and mixed proof sets, and never names the victim as holder', async () => {
    for (const { name, vp } of await forgedSets(badges, CHALLENGE, DOMAIN)) {
      const body = await apiVerify(vp);
      expect(body.status, name).toBe(400);
      expect(body.verified, name).toBe(false);
      expect(body.report.holder, name).not.toBe(victim.did);
      expect(body.approval.approved, name).toBe(false);
      expect(body.approval.requirements.filter((r: Json) => r.satisfied), name).toHaveLength(0);
    }
  });

  it("a named holder who produced no proof is refused, though another key signed for the challenge", async () => {
    const vp = await attacker.sign(presentationOf(badges, victim.did), { challenge: CHALLENGE, domain: DOMAIN });
    const body = await apiVerify(vp);
    expect(body.verified).toBe(false);
    expect(body.report.holder).toBeUndefined();
    expect(checkOf(body, 'holder_binding')).toMatchObject({ passed: false, code: 'holder_not_signer' });
    expect(body.approval.approved).toBe(false);
  });

  it("every proof of the set that claims to be the holder's must verify: the victim's valid proof beside a forged one is refused", async () => {
    const genuine = await genuinePresentation();
    const forged = forgedProofFor(genuine.proof as Json, victim.did);
    for (const proofs of [[genuine.proof, forged], [forged, genuine.proof]] as Json[][]) {
      const body = await apiVerify(withProofs(genuine, proofs));
      expect(body.verified).toBe(false);
      expect(checkOf(body, 'presentation_proof')).toMatchObject({ passed: false, code: 'signature_invalid' });
      expect(body.approval.approved).toBe(false);
    }
  });

  it("the challenge is checked on the holder's own proof: the victim's proof for another challenge does not count beside the attacker's for this one", async () => {
    const unsigned = presentationOf(badges, victim.did);
    const replayed = (await victim.sign(unsigned, { challenge: 'old-challenge', domain: DOMAIN })).proof as Json;
    const fresh = (await attacker.sign(unsigned, { challenge: CHALLENGE, domain: DOMAIN })).proof as Json;
    for (const proofs of [[replayed, fresh], [fresh, replayed]]) {
      const body = await apiVerify(withProofs(unsigned, proofs));
      expect(body.verified).toBe(false);
      expect(checkOf(body, 'presentation_proof')).toMatchObject({ passed: false, code: 'challenge_mismatch' });
      expect(body.approval.approved).toBe(false);
    }
  });

  it('a second proof by another key does not make its signer the holder, and is reported', async () => {
    const unsigned = presentationOf(badges, victim.did);
    const mine = (await victim.sign(unsigned, { challenge: CHALLENGE, domain: DOMAIN })).proof as Json;
    const theirs = (await attacker.sign(unsigned, { challenge: CHALLENGE, domain: DOMAIN })).proof as Json;
    const body = await apiVerify(withProofs(unsigned, [theirs, mine]));
    expect(body.status).toBe(200);
    expect(body.report.holder).toBe(victim.did);
    expect(body.report.warnings).toContainEqual(expect.stringContaining(attacker.did));
    // With no holder named, two signers leave the holder unknown: refused.
    const anonymous = presentationOf(badges, undefined);
    const both = [(await attacker.sign(anonymous, { challenge: CHALLENGE, domain: DOMAIN })).proof as Json, (await victim.sign(anonymous, { challenge: CHALLENGE, domain: DOMAIN })).proof as Json];
    const ambiguous = await apiVerify(withProofs(anonymous, both));
    expect(ambiguous.verified).toBe(false);
    expect(ambiguous.report.holder).toBeUndefined();
    expect(checkOf(ambiguous, 'holder_binding')).toMatchObject({ passed: false, code: 'holder_ambiguous' });
  });

  it('the verify page refuses the forged sets', async () => {
    for (const { name, vp } of await forgedSets(badges, CHALLENGE, DOMAIN)) {
      const form = new FormData();
      form.append('document', JSON.stringify(vp));
      form.append('challenge', CHALLENGE);
      form.append('domain', DOMAIN);
      form.append('rule', 'online-teaching');
      const res = await t.app.request('/verify', { method: 'POST', body: form, headers: { Accept: BROWSER } });
      const html = await res.text();
      expect(res.status, name).toBe(200);
      expect(html, name).toMatch(/data-check="presentation_proof" data-passed="false"|data-check="holder_binding" data-passed="false"/);
      expect(html, name).not.toContain(`<span class="note">by ${victim.did}</span>`);
      expect(html, name).toContain('<p class="verdict bad">Not approved');
    }
  });

  it('educred verify refuses the forged sets', async () => {
    const env = { EDUCRED_DATA_DIR: scratch, EDUCRED_FETCH_ALLOW_PRIVATE: 'true', LOG_LEVEL: 'silent' };
    const options = { policy: policyFile, rule: 'online-teaching', challenge: CHALLENGE, domain: DOMAIN };
    const genuine = path.join(scratch, 'genuine.json');
    writeFileSync(genuine, JSON.stringify(await genuinePresentation()));
    const control = await verifyFromCli(genuine, options, env);
    expect(control.kind === 'presentation' && control.report.approval?.approved).toBe(true);
    for (const [index, { name, vp }] of (await forgedSets(badges, CHALLENGE, DOMAIN)).entries()) {
      const file = path.join(scratch, `forged-${index}.json`);
      writeFileSync(file, JSON.stringify(vp));
      const verification = await verifyFromCli(file, options, env);
      expect(verification.kind, name).toBe('presentation');
      if (verification.kind !== 'presentation') continue;
      expect(verification.report.verified, name).toBe(false);
      expect(verification.report.holder, name).not.toBe(victim.did);
      expect(verification.report.approval?.approved, name).toBe(false);
    }
  });
});

describe("the claim exchange's DID authentication binds only a key whose own proof verified", () => {
  let exchanges = 0;
  /** A fresh email award's exchange: its path, challenge and domain. */
  async function openExchange(): Promise<{ exchange: string; challenge: string; domain: string }> {
    const res = await t.app.request('/awards', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ADMIN_TOKEN}` },
      // One badge per recipient and achievement: each exchange is for another recipient.
      body: JSON.stringify(awardBody({ recipient: { email: `ana.lopez+${(exchanges += 1)}@example.edu`, name: 'Ana Lopez' } })),
    });
    expect(res.status).toBe(201);
    const { claimUrl } = (await res.json()) as Json;
    const exchange = `/exchanges/${String(claimUrl).split('/').pop()}`;
    const start = await t.app.request(exchange, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(start.status).toBe(200);
    const { verifiablePresentationRequest: vpr } = (await start.json()) as Json;
    return { exchange, challenge: vpr.challenge, domain: vpr.domain };
  }
  const send = (exchange: string, vp: Json) =>
    t.app.request(exchange, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ verifiablePresentation: vp }) });

  it('refuses forged-first, forged-last and mixed proof sets naming the victim, and the link stays usable for the victim', async () => {
    const { exchange, challenge, domain } = await openExchange();
    for (const { name, vp } of await forgedSets([], challenge, domain)) {
      const res = await send(exchange, vp);
      const problem = (await res.json()) as Json;
      expect(res.status, `${name}: ${String(problem.detail)}`).toBe(400);
      expect(problem.type, name).toBe('urn:educred:problem:did-authentication-failed');
    }
    const ok = await send(exchange, await victim.sign(presentationOf([], victim.did), { challenge, domain }));
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as Json).verifiablePresentation.verifiableCredential[0].credentialSubject.id).toBe(victim.did);
  });

  it("refuses the victim's proof for another challenge beside the attacker's for this one", async () => {
    const { exchange, challenge, domain } = await openExchange();
    const unsigned = presentationOf([], victim.did);
    const replayed = (await victim.sign(unsigned, { challenge: 'old', domain })).proof as Json;
    const fresh = (await attacker.sign(unsigned, { challenge, domain })).proof as Json;
    for (const proofs of [[replayed, fresh], [fresh, replayed]]) {
      const res = await send(exchange, withProofs(unsigned, proofs));
      expect(res.status).toBe(400);
    }
  });
});
