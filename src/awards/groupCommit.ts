// Group commit for bulk awards: signed awards that finish within a few milliseconds of each
// other are stored in one transaction, so a batch pays one fsync per group instead of one per
// award (with synchronous=FULL the fsync was ~1 ms, more than the signature itself). Each award
// still learns its own outcome, and a failing award is retried alone (storeAwards).
import type { Store } from '../store/store.js';
import { storeAwards, type AwardOutcome, type SignedAward } from './issueAward.js';

export interface GroupCommitter {
  /** Queues a signed award; settles once its group is committed (or it was refused). */
  add(signed: SignedAward): Promise<AwardOutcome>;
}

export interface GroupCommitOptions {
  /** Longest an award waits for company before its group is committed. */
  maxDelayMs?: number | undefined;
  /** A group this large is committed at once. */
  maxGroup?: number | undefined;
}

interface Waiting {
  signed: SignedAward;
  resolve(outcome: AwardOutcome): void;
  reject(error: Error): void;
}

export function createGroupCommitter(store: Store, options: GroupCommitOptions = {}): GroupCommitter {
  const maxDelayMs = options.maxDelayMs ?? 10;
  const maxGroup = options.maxGroup ?? 64;
  let queue: Waiting[] = [];
  let timer: NodeJS.Timeout | undefined;

  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const group = queue;
    queue = [];
    if (group.length === 0) return;
    storeAwards(store, group.map((w) => w.signed)).then(
      (outcomes) =>
        group.forEach((w, i) => {
          const outcome = outcomes[i] ?? new Error('The award was not stored');
          if (outcome instanceof Error) w.reject(outcome);
          else w.resolve(outcome);
        }),
      (error: unknown) => group.forEach((w) => w.reject(error instanceof Error ? error : new Error(String(error)))),
    );
  };

  return {
    add(signed) {
      return new Promise<AwardOutcome>((resolve, reject) => {
        queue.push({ signed, resolve, reject });
        if (queue.length >= maxGroup) flush();
        else timer ??= setTimeout(flush, maxDelayMs);
      });
    },
  };
}
