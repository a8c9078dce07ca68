// Audit of refused requests (401/403), aggregated so that anonymous clients cannot grow the
// database without bound: the first refusal of a client for a reason in a time window is
// written at once; the ones after it in the same window are counted in memory and written as
// one row with their count when the window ends. Keys are bounded (beyond the bound, refusals
// fall into one "other clients" key) and every stored string is cut to a fixed length.
import type { AuditEvent } from '../store/audit.js';
import type { Store } from '../store/store.js';
import { redactSecrets } from '../logger.js';

/** No string a refusal row stores (path, reason, client, actor) is longer than this. */
export const REFUSAL_STRING_LIMIT = 200;
const OTHER_CLIENTS = '(other clients)';

export interface Refusal {
  /** Who asked: the peer address (or a test's key). */
  client: string;
  /** Why it was refused; a small, fixed vocabulary. */
  reason: string;
  /** The request path (claim tokens in it are redacted before it is stored). */
  path: string;
  /** `anonymous`, or `token:<name>` when a valid token lacked the scope. */
  actor: string;
}

export interface RefusalAuditOptions {
  /** Length of an aggregation window (default one minute). */
  windowMs?: number | undefined;
  /** Distinct client/reason keys per window (default 100); beyond it they share one key. */
  maxKeys?: number | undefined;
  now?: (() => number) | undefined;
}

interface Pending {
  refusal: Refusal;
  count: number;
}

export function truncate(text: string, limit = REFUSAL_STRING_LIMIT): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

export class RefusalAudit {
  private readonly windowMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;
  private window = -1;
  /** Keys written in the current window, with the refusals counted since. */
  private readonly keys = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    options: RefusalAuditOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 60_000;
    this.maxKeys = options.maxKeys ?? 100;
    this.now = options.now ?? Date.now;
  }

  /** Counts a refusal; the first of its key in a window is written before this settles. */
  record(input: Refusal): Promise<void> {
    const window = Math.floor(this.now() / this.windowMs);
    const flushed = window !== this.window ? this.flush() : Promise.resolve();
    this.window = window;
    let refusal: Refusal = {
      client: truncate(input.client),
      reason: truncate(input.reason),
      path: truncate(redactSecrets(input.path)),
      actor: truncate(input.actor),
    };
    let key = `${refusal.client}\n${refusal.reason}`;
    if (!this.keys.has(key) && this.keys.size >= this.maxKeys) {
      refusal = { ...refusal, client: OTHER_CLIENTS, reason: 'various', actor: 'anonymous' };
      key = `${OTHER_CLIENTS}\n`;
    }
    const pending = this.keys.get(key);
    if (pending) {
      pending.refusal = refusal;
      pending.count += 1;
      this.schedule();
      return flushed;
    }
    this.keys.set(key, { refusal, count: 0 });
    return Promise.all([flushed, this.write(refusal, 1, false)]).then(() => undefined);
  }

  /** Writes the counts held in memory (at the end of a window, or when the service stops). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const held = [...this.keys.values()].filter((p) => p.count > 0);
    this.keys.clear();
    if (held.length === 0 || !this.store.isOpen) return;
    await this.store.audit.recordMany(held.map((p) => ({ event: this.event(p.refusal, p.count, true), at: new Date() })));
  }

  private event(refusal: Refusal, count: number, repeated: boolean): AuditEvent {
    const windowStart = new Date(this.window * this.windowMs).toISOString();
    return {
      actor: refusal.actor,
      action: 'auth.refused',
      subject: refusal.path,
      detail: { reason: refusal.reason, client: refusal.client, count, windowStart, ...(repeated ? { repeated: true } : {}) },
    };
  }

  private async write(refusal: Refusal, count: number, repeated: boolean): Promise<void> {
    if (!this.store.isOpen) return;
    await this.store.audit.record(this.event(refusal, count, repeated));
  }

  private schedule(): void {
    if (this.timer) return;
    const untilWindowEnd = (this.window + 1) * this.windowMs - this.now();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // The database went away (the service is stopping): the held counts are lost, nothing else.
      this.flush().catch(() => {});
    }, Math.max(0, untilWindowEnd));
    this.timer.unref();
  }
}

const audits = new WeakMap<Store, RefusalAudit>();

/** The refusal audit of a database: one per database, shared by every route that checks tokens. */
export function refusalAuditFor(store: Store): RefusalAudit {
  let audit = audits.get(store);
  if (!audit) {
    audit = new RefusalAudit(store);
    audits.set(store, audit);
  }
  return audit;
}

/** Replaces the refusal audit of a database with one of these options (the earlier one is flushed first). */
export async function configureRefusalAudit(store: Store, options: RefusalAuditOptions): Promise<RefusalAudit> {
  await audits.get(store)?.flush();
  const audit = new RefusalAudit(store, options);
  audits.set(store, audit);
  return audit;
}
