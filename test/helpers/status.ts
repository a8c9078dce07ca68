// A status checker that reads lists from a test instance (status lists are on in every
// instance, as in the server: test/helpers/app.ts).
import { createStatusChecker, type StatusChecker } from '../../src/status/checkStatus.js';
import type { TestInstance } from './app.js';


/** Fetches lists from the instance itself (no network), overridden per URL by `documents`. */
export function appFetcher(t: TestInstance, documents: Record<string, unknown> = {}): { fetchJson: (url: string) => Promise<unknown>; fetched: string[] } {
  const fetched: string[] = [];
  return {
    fetched,
    async fetchJson(url) {
      fetched.push(url);
      if (url in documents) return structuredClone(documents[url]);
      if (!url.startsWith(`${t.config.baseUrl}/`)) throw new Error(`not reachable in this test: ${url}`);
      const res = await t.app.request(url.slice(t.config.baseUrl.length));
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return res.json();
    },
  };
}

export function checkerFor(t: TestInstance, documents: Record<string, unknown> = {}, now?: () => Date): { check: StatusChecker; fetched: string[] } {
  const fetcher = appFetcher(t, documents);
  return { check: createStatusChecker({ fetchJson: fetcher.fetchJson, documentLoader: t.runtime.issuer.documentLoader, now }), fetched: fetcher.fetched };
}

/**
 * The `checkStatus` option @digitalbazaar/vc requires for a credential that has status entries
 * (it refuses to verify one without): the instance's own lists, fetched from its app and verified
 * by educred's checker. verifier-core checks the same lists independently (test/status/interop.test.ts).
 */
export function libraryCheckStatus(t: TestInstance): (options: { credential: Record<string, unknown> }) => Promise<{ verified: boolean; error?: Error }> {
  const { check } = checkerFor(t);
  return async ({ credential }) => {
    const failed = (await check(credential)).filter((r) => !r.ok);
    return failed.length === 0 ? { verified: true } : { verified: false, error: new Error(failed.map((r) => `${r.purpose}: ${r.reason}`).join('; ')) };
  };
}

/** The env of an issuer that chose suspendable badges (two status entries, outside OB 3.0's 0..1). */
export const WITH_SUSPENSION = { EDUCRED_STATUS_PURPOSES: 'revocation,suspension' } as const;

/** A credential's status entries as a list (one entry is an object, several a set). */
export function statusEntries(credential: Record<string, any>): Array<Record<string, any>> {
  const value = credential.credentialStatus;
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}
