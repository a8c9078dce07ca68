// Keeps tests off the internet: replaces globalThis.fetch with one that answers loopback
// requests and refuses every other host at once (instead of waiting on DNS or a timeout).
const realFetch = globalThis.fetch;

export interface OfflineFetch {
  /** URLs the code under test tried to reach beyond loopback. */
  refused: string[];
  restore(): void;
}

/** `documents` are answered in place of their (remote) URLs, as pinned copies. */
export function allowLoopbackOnly(documents: Record<string, unknown> = {}): OfflineFetch {
  const refused: string[] = [];
  globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]') {
      return realFetch(input, init);
    }
    if (url.href in documents) {
      return new Response(JSON.stringify(documents[url.href]), { headers: { 'Content-Type': 'application/json' } });
    }
    refused.push(url.href);
    throw new TypeError(`test network policy: ${url.href} is not on loopback`);
  }) as typeof fetch;
  return { refused, restore: () => void (globalThis.fetch = realFetch) };
}
