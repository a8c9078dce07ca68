// Issuer registries a verifier chooses to accept, besides its own lists: the Digital
// Credentials Consortium's issuer registry JSON (`{"meta": …, "registry": {"<DID>": {"name",
// "url", "location"}}}`, digitalcredentials/issuer-registry), from a URL through the guarded
// fetcher (kept for an hour, the last good copy kept when a refresh fails) or from a pinned file
// for offline use. Still no central registry: each verifier names its own in its policy, and a
// trust decision says which registry made an issuer trusted.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { FetchJson } from './limits.js';

export const TrustRegistrySchema = z
  .strictObject({
    name: z.string().min(1),
    format: z.literal('dcc-issuer-registry'),
    /** Fetched through the guarded fetcher; https only. */
    url: z.url({ protocol: /^https$/ }).optional(),
    /** A pinned copy (a path): read once, no network. */
    file: z.string().min(1).optional(),
  })
  .refine((r) => (r.url === undefined) !== (r.file === undefined), { message: 'give the registry a "url" or a pinned "file", one of them' });

export type TrustRegistry = z.infer<typeof TrustRegistrySchema>;

export interface RegistryListing {
  issuer: string;
  name?: string | undefined;
  /** The registry's name in the policy, and where it came from. */
  registry: string;
  source: string;
}

const REFRESH_MS = 60 * 60_000;

/** The issuers a DCC registry document lists (its `registry` object, keyed by DID). */
export function parseDccRegistry(document: unknown, registry: TrustRegistry): Map<string, RegistryListing> {
  const entries = new Map<string, RegistryListing>();
  const listed = typeof document === 'object' && document !== null ? (document as { registry?: unknown }).registry : undefined;
  if (typeof listed !== 'object' || listed === null || Array.isArray(listed)) throw new Error(`The registry ${registry.name} is not a DCC issuer registry (no "registry" object)`);
  for (const [issuer, entry] of Object.entries(listed as Record<string, unknown>)) {
    if (!/^did:[a-z0-9]+:\S+$/.test(issuer)) continue;
    const name = typeof entry === 'object' && entry !== null && typeof (entry as { name?: unknown }).name === 'string' ? (entry as { name: string }).name : undefined;
    entries.set(issuer, { issuer, name, registry: registry.name, source: registry.url ?? registry.file ?? '' });
  }
  return entries;
}

/** The registries of a policy, loaded when first needed and refreshed hourly. */
export class TrustRegistries {
  private listings = new Map<string, RegistryListing>();
  private loadedAt = new Map<string, number>();
  private loading: Promise<void> | undefined;

  private readonly registries: readonly TrustRegistry[];

  constructor(
    sources: ReadonlyArray<TrustRegistry | { format: string }>,
    private readonly fetchJson: FetchJson,
    private readonly now: () => number = Date.now,
  ) {
    this.registries = sources.filter((s): s is TrustRegistry => s.format === 'dcc-issuer-registry');
  }

  /** Loads what is due; a registry that fails keeps its last good copy (none: it lists nobody). */
  async refresh(): Promise<void> {
    const due = this.registries.filter((r) => (this.loadedAt.get(r.name) ?? -Infinity) + REFRESH_MS <= this.now());
    if (due.length === 0) return;
    this.loading ??= Promise.all(due.map((r) => this.load(r))).then(() => {
      this.loading = undefined;
    });
    await this.loading;
  }

  private async load(registry: TrustRegistry): Promise<void> {
    try {
      const document = registry.file !== undefined ? (JSON.parse(readFileSync(registry.file, 'utf8')) as unknown) : await this.fetchJson(registry.url as string);
      const entries = parseDccRegistry(document, registry);
      for (const [key, listing] of this.listings) if (listing.registry === registry.name) this.listings.delete(key);
      for (const [issuer, listing] of entries) if (!this.listings.has(issuer)) this.listings.set(issuer, listing);
    } catch {
      // Fails closed: an unreadable registry lists nobody new; the last good copy stays.
    }
    this.loadedAt.set(registry.name, this.now());
  }

  lookup(issuer: string): RegistryListing | undefined {
    return this.listings.get(issuer);
  }
}
