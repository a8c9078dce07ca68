// One guard for every JSON text the service parses (src/http/body.ts parseJson): the nesting
// limit applies to request bodies, the CSV evidence_json column, the /exchanges bodies a wallet
// sends, and the JSON baked into an SVG, so none of them reaches recursive code and a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BakingError, extractFromSvg } from '../../src/badges/baking.js';
import { JsonTextError, MAX_JSON_DEPTH, parseJson } from '../../src/http/body.js';
import { createGuardedFetcher, FetchRefusedError } from '../../src/net/guardedFetch.js';
import { awardBody, createTestInstance, postJson, serveOnLoopback, type TestInstance } from '../helpers/app.js';
import { postBatch } from '../helpers/batch.js';

type Json = Record<string, any>;

const DEEP_ARRAY = '['.repeat(100_000) + ']'.repeat(100_000);

let t: TestInstance;
beforeAll(async () => {
  t = await createTestInstance();
});
afterAll(async () => t.close());

describe('parseJson, the one guard', () => {
  it('refuses nesting deeper than the limit, too many bytes, and what is not JSON, each with its reason', () => {
    const at = (text: string, limits = {}) => {
      try {
        parseJson(text, limits);
      } catch (error) {
        return error instanceof JsonTextError ? [error.reason, error.message] : ['other', String(error)];
      }
      return ['parsed', ''];
    };
    expect(at('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH))).toEqual(['parsed', '']);
    expect(at('['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1), { what: 'evidence_json' })).toEqual(['too-deep', `evidence_json nests deeper than ${MAX_JSON_DEPTH} levels`]);
    expect(at('"brackets in a string [[[[[[" ', { maxDepth: 1 })).toEqual(['parsed', '']);
    expect(at('"ééé"', { maxBytes: 6 })[0]).toBe('too-large');
    expect(at('{"a": }')[0]).toBe('not-json');
  });
});

describe('the JSON nesting limit holds everywhere the service parses JSON', () => {
  it('refuses a CSV evidence_json cell nested 100,000 deep as a row problem at /evidence, issuing nothing', async () => {
    const csv = `recipient_email,recipient_name,achievement,evidence_json\nana@example.edu,Ana,formative-assessment,"${DEEP_ARRAY}"\n`;
    const res = await postBatch(t.app, csv, 'text/csv');
    const body = (await res.json()) as Json;
    expect(res.status, JSON.stringify(body).slice(0, 400)).toBeLessThan(500);
    const text = JSON.stringify(body);
    expect(text).toContain('/evidence');
    expect(text).toContain(`evidence_json nests deeper than ${MAX_JSON_DEPTH} levels`);
    expect(await countIssued(t)).toBe(0);
  });

  it('refuses an /exchanges body nested 100,000 deep with a 400 problem, for a real claim token', async () => {
    const awarded = (await (await postJson(t.app, '/awards', awardBody({ recipient: { email: 'ana.lopez@example.edu', name: 'Ana Lopez' } }))).json()) as Json;
    const token = new URL(awarded.claimUrl as string).pathname.split('/')[2]!;
    for (const body of [DEEP_ARRAY, `{"verifiablePresentation": ${DEEP_ARRAY}}`]) {
      const res = await t.app.request(`/exchanges/${token}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(((await res.json()) as Json).detail).toBe(`The request body nests deeper than ${MAX_JSON_DEPTH} levels`);
    }
  });

  it('refuses JSON baked into an SVG that nests 100,000 deep (a BakingError, not a stack overflow)', () => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential><![CDATA[${DEEP_ARRAY}]]></openbadges:credential></svg>`;
    expect(() => extractFromSvg(svg)).toThrow(BakingError);
    expect(() => extractFromSvg(svg)).toThrow(`nests deeper than ${MAX_JSON_DEPTH} levels`);
  });
});

describe('fetched documents go through the same guard', () => {
  it('refuses a did:web document or status list nested 100,000 deep as fetch_not_json', async () => {
    const served = await serveOnLoopback(() => new Response(DEEP_ARRAY, { headers: { 'Content-Type': 'application/json' } }));
    try {
      const fetcher = createGuardedFetcher({ allowPrivateNetworks: true, timeoutMs: 5000 });
      const error = await fetcher.fetchJson(`${served.origin}/did.json`).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(FetchRefusedError);
      expect((error as FetchRefusedError).code).toBe('fetch_not_json');
      expect((error as Error).message).toContain(`nests deeper than ${MAX_JSON_DEPTH} levels`);
    } finally {
      await served.close();
    }
  });
});

function countIssued(instance: TestInstance): Promise<number> {
  return instance.runtime.store.awards.count();
}
