// Test instances with status lists switched on (the server passes the runtime's allocator as
// `status`; the shared helper leaves it off), and a status checker that reads lists from an app.
import type { Runtime } from '../../src/runtime.js';
import { createStatusChecker, type StatusChecker } from '../../src/status/checkStatus.js';
import type { AppDeps } from '../../src/app.js';
import { createServedInstance, createTestInstance, type TestInstance, type TestInstanceOptions } from './app.js';

const withStatus = (deps: AppDeps, runtime: Runtime): AppDeps => ({ ...deps, status: runtime.statusAllocator });

export const createStatusInstance = (options: TestInstanceOptions = {}): Promise<TestInstance> => createTestInstance({ ...options, configure: withStatus });
export const createServedStatusInstance = (options: TestInstanceOptions = {}) => createServedInstance({ ...options, configure: withStatus });

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
