// The README's examples, run through the same validators and routes the service uses: the
// award body of the tour, the answers the tour shows, and the example trust policy. A README
// example that stops working fails here, not in front of a new user. The tour runs on SQLite
// (the README's first command) and, where TEST_DATABASE_URL names a server (CI), unchanged on
// PostgreSQL (DATABASE_URL).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwardRequestSchema } from '../src/awards/awardRequest.js';
import { parseTrustPolicy } from '../src/verify/trustPolicy.js';
import { ADMIN_TOKEN, createTestInstance, postJson, type TestInstance } from './helpers/app.js';
import { describePostgres, freshPostgresDatabase, type FreshDatabase } from './helpers/postgres.js';

type Json = Record<string, any>;

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The text of the heredoc that writes `file` in a sh block (`cat > file <<'EOF' … EOF`). */
function heredoc(file: string, end = 'EOF'): string {
  const match = new RegExp(`cat > ${file.replace('.', '\\.')} <<'${end}'\\n([\\s\\S]*?)\\n${end}\\n`).exec(README);
  if (!match?.[1]) throw new Error(`README has no heredoc for ${file}`);
  return match[1];
}

/** The `# …` answer line the README shows right after the line containing `marker`. */
function shownAnswer(marker: string): string {
  const lines = README.split('\n');
  const at = lines.findIndex((l) => l.includes(marker));
  if (at < 0) throw new Error(`README has no line with ${marker}`);
  const answer = lines.slice(at + 1).find((l) => l.startsWith('# '));
  if (!answer) throw new Error(`README shows no answer after ${marker}`);
  return answer.slice(2);
}

/** Every ```json block of the README, parsed. */
const jsonBlocks = (): unknown[] => [...README.matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => JSON.parse(m[1]!) as unknown);

function tour(env: () => Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }>): void {
  let t: TestInstance;
  let award: Json;
  let cleanup: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const setup = await env();
    cleanup = setup.cleanup;
    t = await createTestInstance({ env: setup.env });
    award = JSON.parse(heredoc('award.json')) as Json;
  });
  afterAll(async () => {
    await t?.close();
    await cleanup?.();
  });

  it('award.json is a valid POST /awards body that meets the mastery rule (201)', async () => {
    expect(AwardRequestSchema.safeParse(award).success).toBe(true);
    const res = await postJson(t.app, '/awards', award, { 'Idempotency-Key': 'ana-formative-2026-03' });
    expect(res.status, await res.clone().text()).toBe(201);
  });

  it('shows the verify answer the service gives, check for check', async () => {
    const { credential } = (await (await postJson(t.app, '/awards', award, { 'Idempotency-Key': 'ana-formative-2026-03' })).json()) as Json;
    const body = (await (await postJson(t.app, '/credentials/verify', { verifiableCredential: credential })).json()) as Json;
    const shown = JSON.parse(shownAnswer("jq '{verified, checks, trust: .report.trust.reason}'").replace(/"The issuer … is/, '"The issuer is')) as Json;
    expect(body.verified).toBe(shown.verified);
    expect(body.checks).toEqual(shown.checks);
    expect(body.report.trust.reason).toMatch(/^The issuer .* is on this verifier's list of trusted issuers\.$/);
  });

  it('shows the 422 detail that evidence falling short gets', async () => {
    const short = { ...award, recipient: { email: 'short.evidence@example.edu', name: 'Short' }, evidence: award.evidence.slice(0, 2) };
    const res = await postJson(t.app, '/awards', short);
    expect(res.status).toBe(422);
    expect(JSON.stringify(((await res.json()) as Json).detail)).toBe(shownAnswer("jq '.evidence |= .[0:2]' award.json"));
  });

  it('cohort.csv is a batch every row of which is awarded with a claim link, and GET /awards lists it as shown', async () => {
    const csv = heredoc('cohort.csv', 'EOF2') + '\n';
    const res = await t.app.request('/awards/batch', { method: 'POST', headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'text/csv', 'Batch-Id': 'spring-2026' }, body: csv });
    expect(res.status, await res.clone().text()).toBe(200);
    const batch = (await res.json()) as Json;
    expect((batch.rows as Json[]).map((r) => r.state)).toEqual(['issued', 'issued']);
    for (const row of batch.rows as Json[]) expect(row.claimUrl).toMatch(/^http:\/\/localhost:3000\/claim\//);
    const listed = (await (await t.app.request('/awards?recipient=ben.okafor@example.edu&status=active', { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as Json;
    expect((listed.items as Json[]).map((i) => [i.achievement, i.status])).toEqual([['formative-assessment', 'active']]);
    expect(listed.next).toBeNull();
  });

}

describe('the README tour', () => {
  tour(async () => ({ env: {}, cleanup: async () => {} }));
});

describePostgres('the README tour on PostgreSQL (DATABASE_URL)', () => {
  tour(async () => {
    const db: FreshDatabase = await freshPostgresDatabase('readme');
    return { env: { DATABASE_URL: db.url }, cleanup: () => db.drop() };
  });
});

describe('the README examples', () => {
  it('every JSON example that is a trust policy parses with the service\'s policy parser', () => {
    const policies = jsonBlocks().filter((b): b is Json => typeof b === 'object' && b !== null && 'approvalRules' in b);
    expect(policies.length).toBeGreaterThan(0);
    for (const policy of policies) expect(() => parseTrustPolicy(policy, 'README')).not.toThrow();
  });
});
