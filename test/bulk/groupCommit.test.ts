// The group committer (src/awards/groupCommit.ts): concurrent units share one transaction, each
// is answered only once its transaction committed, a unit that fails its group is retried alone
// without taking the others down, and in adaptive mode a lone unit waits for no timer.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGroupCommitter, type GroupedWrite } from '../../src/awards/groupCommit.js';
import { openStore, type Repositories, type Store } from '../../src/store/store.js';

let dir: string;
let store: Store;
let transactions: number;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'educred-group-'));
  store = await openStore({ engine: 'sqlite', file: path.join(dir, 'educred.db') });
  transactions = 0;
  const transaction = store.transaction.bind(store);
  store.transaction = ((fn: (tx: Repositories) => Promise<unknown>) => {
    transactions++;
    return transaction(fn);
  }) as Store['transaction'];
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A unit that writes one audit row named `subject`, or fails inside its transaction. */
function unit(subject: string, options: { fail?: boolean } = {}): GroupedWrite<string> {
  return {
    async write(tx) {
      await tx.audit.record({ actor: 'test', action: 'test.unit', subject, detail: {} });
      if (options.fail) throw new Error(`unit ${subject} refuses`);
    },
    committed: () => subject,
    abandon: (error) => Promise.reject(error instanceof Error ? error : new Error(String(error))),
  };
}

const stored = async (): Promise<string[]> => (await store.audit.list({ limit: 100 })).map((r) => String(r.subject)).sort();

describe('group commit', () => {
  it('stores units queued together in one transaction and answers each after it committed', async () => {
    const committer = createGroupCommitter(store, { adaptive: true });
    const answers = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((s) => committer.add(unit(s)).then(async (answer) => ({ answer, visible: (await stored()).includes(s) }))));
    expect(answers.map((a) => a.answer)).toEqual(['a', 'b', 'c', 'd', 'e']);
    // Each answer came when its row was already committed and visible.
    expect(answers.every((a) => a.visible)).toBe(true);
    expect(transactions).toBe(1);
    expect(committer.pending()).toBe(0);
  });

  it('gathers what is queued while a commit runs into the next group', async () => {
    const committer = createGroupCommitter(store, { adaptive: true });
    const first = committer.add(unit('first'));
    // Queued on a later turn, while the first group's transaction is open or about to be.
    await new Promise((resolve) => setImmediate(resolve));
    const later = ['x', 'y', 'z'].map((s) => committer.add(unit(s)));
    await Promise.all([first, ...later]);
    expect(await stored()).toEqual(['first', 'x', 'y', 'z']);
    expect(transactions).toBe(2);
  });

  it('retries a failing group unit by unit: the bad one is refused, the others are stored', async () => {
    const committer = createGroupCommitter(store, { adaptive: true });
    const results = await Promise.allSettled([committer.add(unit('ok-1')), committer.add(unit('bad', { fail: true })), committer.add(unit('ok-2'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(Error);
    expect(String((results[1] as PromiseRejectedResult).reason)).toContain('unit bad refuses');
    // The bad unit's row was rolled back with its group and again alone: never half stored.
    expect(await stored()).toEqual(['ok-1', 'ok-2']);
    expect(transactions).toBe(1 + 3);
  });

  it('caps a group at maxGroup units', async () => {
    const committer = createGroupCommitter(store, { adaptive: true, maxGroup: 4 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => committer.add(unit(`u${i}`))));
    expect((await stored()).length).toBe(10);
    expect(transactions).toBe(3);
  });

  it('with a delay, waits for company up to maxDelayMs (the bulk batches)', async () => {
    const committer = createGroupCommitter(store, { maxDelayMs: 20 });
    const first = committer.add(unit('early'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = committer.add(unit('late'));
    await Promise.all([first, second]);
    expect(transactions).toBe(1);
  });
});
