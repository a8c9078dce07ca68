// Group commit: signed awards (and VC-API credentials) that are ready at about the same time are
// stored in one transaction, so they pay one COMMIT (one fsync with synchronous=FULL, one round
// trip on PostgreSQL) instead of one each. Measured, a COMMIT per award was ~39% of the
// single-award route's main-thread profile. Each unit still learns its own outcome, only after
// the transaction holding it has committed, and a unit that makes its group fail is retried
// alone so it cannot take the others with it.
//
// Two ways to gather a group:
// - `adaptive` (single awards, VC-API issues): nothing waits for company. A unit queued while no
//   commit runs is committed on the next turn of the event loop with whatever else became ready
//   in that turn (setImmediate runs after the I/O callbacks that delivered signed results), and
//   units queued while a commit runs form the next group, committed as soon as it ends. A lone
//   request is never delayed by a timer.
// - a delay (bulk batches): a group waits up to `maxDelayMs` to fill, as batches keep the
//   signing pool full and care for throughput, not a request's latency.
import type { Repositories, Store } from '../store/store.js';

/** One unit of work a group can hold. */
export interface GroupedWrite<T> {
  /** Writes the unit through `tx` only (a group rolls back as a whole). */
  write(tx: Repositories): Promise<void>;
  /** The answer once the unit's transaction committed. */
  committed(): T;
  /** The unit failed alone: recover (the winner of a lost race, say) or throw. */
  abandon(error: unknown): Promise<T>;
}

export interface GroupCommitter {
  /** Queues a unit; settles once its group is committed (or it was refused). */
  add<T>(unit: GroupedWrite<T>): Promise<T>;
  /** Units queued or being committed (for shutdown and tests). */
  pending(): number;
}

export interface GroupCommitOptions {
  /** Gather by event-loop turn and commit in flight, with no timer (see above). */
  adaptive?: boolean | undefined;
  /** Longest a unit waits for company before its group is committed (not adaptive). */
  maxDelayMs?: number | undefined;
  /** A group this large is committed at once. */
  maxGroup?: number | undefined;
}

/**
 * Stores units: all in one transaction when there are several, and, if that fails, each in its
 * own. Returns, in order, each unit's outcome or the error that kept it out.
 */
export async function commitTogether<T>(store: Store, units: ReadonlyArray<GroupedWrite<T>>): Promise<Array<T | Error>> {
  if (units.length > 1) {
    try {
      await store.transaction(async (tx) => {
        for (const unit of units) await unit.write(tx);
      });
      return units.map((unit) => unit.committed());
    } catch {
      // Rolled back as a whole: fall through and store them one by one.
    }
  }
  const outcomes: Array<T | Error> = [];
  for (const unit of units) {
    try {
      await store.transaction((tx) => unit.write(tx));
      outcomes.push(unit.committed());
    } catch (error) {
      try {
        outcomes.push(await unit.abandon(error));
      } catch (final) {
        outcomes.push(final instanceof Error ? final : new Error(String(final)));
      }
    }
  }
  return outcomes;
}

interface Waiting {
  unit: GroupedWrite<unknown>;
  resolve(outcome: unknown): void;
  reject(error: Error): void;
}

export function createGroupCommitter(store: Store, options: GroupCommitOptions = {}): GroupCommitter {
  const adaptive = options.adaptive ?? false;
  const maxDelayMs = options.maxDelayMs ?? 10;
  const maxGroup = options.maxGroup ?? 64;
  const queue: Waiting[] = [];
  let timer: NodeJS.Timeout | undefined;
  let scheduled = false;
  let committing = 0;

  const settle = (group: Waiting[], outcomes: Array<unknown>): void =>
    group.forEach((w, i) => {
      const outcome = i < outcomes.length ? outcomes[i] : new Error('The write was not stored');
      if (outcome instanceof Error) w.reject(outcome);
      else w.resolve(outcome);
    });

  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    scheduled = false;
    // Adaptive: one group in flight at a time; what queues meanwhile is the next group.
    if (adaptive && committing > 0) return;
    const group = queue.splice(0, maxGroup);
    if (group.length === 0) return;
    committing++;
    commitTogether(store, group.map((w) => w.unit))
      .then(
        (outcomes) => settle(group, outcomes),
        (error: unknown) => group.forEach((w) => w.reject(error instanceof Error ? error : new Error(String(error)))),
      )
      .finally(() => {
        committing--;
        if (queue.length > 0) schedule();
      });
    if (!adaptive && queue.length > 0) schedule();
  };

  function schedule(): void {
    if (adaptive) {
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    } else if (queue.length >= maxGroup) flush();
    else timer ??= setTimeout(flush, maxDelayMs);
  }

  return {
    add<T>(unit: GroupedWrite<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ unit, resolve: resolve as (outcome: unknown) => void, reject });
        schedule();
      });
    },
    pending: () => queue.length + committing,
  };
}
