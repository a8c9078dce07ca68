// notify on bulk awards: a JSON batch's "notify": true, or the Notify: true header (how a CSV
// upload asks), queues each awarded row's claim email with its award; a row for a DID-only
// recipient is invalid under notify; without outgoing mail the whole batch is refused.
import { afterEach, describe, expect, it } from 'vitest';
import { awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';
import { csvBatch, getBatch, jsonAward, postBatch } from '../helpers/batch.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';

type Json = Record<string, any>;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(withMail = true): Promise<{ t: TestInstance; server: TestSmtpServer | undefined }> {
  const server = withMail ? await startSmtpServer() : undefined;
  if (server) cleanups.push(() => server.close());
  const t = await createTestInstance({ env: server ? { EDUCRED_SMTP_URL: server.url, EDUCRED_MAIL_FROM: 'badges@program.example' } : {} });
  cleanups.push(async () => {
    await t.deps.mail?.close();
    await t.close();
  });
  return { t, server };
}

describe('POST /awards/batch with notify', () => {
  it('a JSON batch with "notify": true emails each awarded row; a DID-only row is invalid, naming recipient.email', async () => {
    const { t, server } = await setup();
    const awards = [jsonAward(1), awardBody(), jsonAward(2)];
    const res = await postJson(t.app, '/awards/batch', { batchId: 'notify-json', notify: true, awards });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({ notify: true, counts: { issued: 2, invalid: 1 } });
    const didRow = (body.rows as Json[]).find((r) => r.line === 2);
    expect(didRow).toMatchObject({ state: 'invalid', problem: { code: 'notify_needs_email', errors: [{ pointer: '/recipient/email' }] } });
    expect(body.notifications).toEqual({ pending: 2, sent: 0, failed: 0, cancelled: 0 });

    expect((await t.deps.mail!.deliverDue()).sent).toBe(2);
    expect(server!.received.map((m) => m.envelopeTo[0]).sort()).toEqual(['educator1@example.edu', 'educator2@example.edu']);
    for (const mail of server!.received) expect(mail.text).toMatch(/\/claim\/[A-Za-z0-9_-]{43}/);
    expect((await getBatch(t.app, 'notify-json')).notifications).toEqual({ pending: 0, sent: 2, failed: 0, cancelled: 0 });
  });

  it('a CSV upload with the Notify: true header emails every row', async () => {
    const { t, server } = await setup();
    const res = await postBatch(t.app, csvBatch(3), 'text/csv', { 'Batch-Id': 'notify-csv', Notify: 'true' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Json).counts.issued).toBe(3);
    expect((await t.runtime.store.mail.counts()).pending).toBe(3);
    expect((await t.deps.mail!.deliverDue()).sent).toBe(3);
    expect(server!.received).toHaveLength(3);
  });

  it('without notify (or with Notify: false) a batch queues nothing', async () => {
    const { t } = await setup();
    expect((await postBatch(t.app, csvBatch(2), 'text/csv', { 'Batch-Id': 'quiet-csv', Notify: 'false' })).status).toBe(200);
    expect((await postJson(t.app, '/awards/batch', [jsonAward(7)])).status).toBe(200);
    expect((await t.runtime.store.mail.counts()).pending).toBe(0);
  });

  it('re-running a notify batch queues no second message for the awards it finds', async () => {
    const { t, server } = await setup();
    const csv = csvBatch(2);
    expect((await postBatch(t.app, csv, 'text/csv', { 'Batch-Id': 'notify-rerun', Notify: 'true' })).status).toBe(200);
    expect((await t.deps.mail!.deliverDue()).sent).toBe(2);
    const again = await postBatch(t.app, csv, 'text/csv', { 'Batch-Id': 'notify-rerun', Notify: 'true' });
    expect(((await again.json()) as Json).counts.existing).toBe(2);
    expect((await t.deps.mail!.deliverDue()).sent).toBe(0);
    expect(server!.received).toHaveLength(2);
  });

  it('is refused with 422 naming notify when EDUCRED_SMTP_URL is not configured; nothing is issued', async () => {
    const { t } = await setup(false);
    const before = await t.runtime.store.awards.count();
    for (const res of [
      await postBatch(t.app, csvBatch(2), 'text/csv', { Notify: 'true' }),
      await postJson(t.app, '/awards/batch', { notify: true, awards: [jsonAward(1)] }),
    ]) {
      expect(res.status).toBe(422);
      const problem = (await res.json()) as Json;
      expect(problem.type).toBe('urn:educred:problem:mail-not-configured');
      expect(problem.errors).toEqual([{ pointer: '/notify', detail: expect.stringContaining('EDUCRED_SMTP_URL is not configured') }]);
    }
    expect(await t.runtime.store.awards.count()).toBe(before);
  });

  it('a Notify header that is not true/false, or that contradicts the body, is a 400', async () => {
    const { t } = await setup();
    const bad = await postBatch(t.app, csvBatch(1), 'text/csv', { Notify: 'yes' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Json).errors[0].pointer).toBe('/notify');
    const clash = await postJson(t.app, '/awards/batch', { notify: false, awards: [jsonAward(1)] }, { Notify: 'true' });
    expect(clash.status).toBe(400);
    const wrongType = await postJson(t.app, '/awards/batch', { notify: 'yes', awards: [jsonAward(1)] });
    expect(wrongType.status).toBe(400);
    expect(((await wrongType.json()) as Json).detail).toContain("'notify' must be true or false");
  });
});

describe('one claim email per educator (issue 16)', () => {
  it('a notify batch with three badges for one educator sends one email with one link covering them all', async () => {
    const { t, server } = await setup();
    const recipient = { email: 'one.mail@example.edu', name: 'Ana Lopez' };
    const awards = ['differentiated-support', 'aligned-instruction', 'formative-assessment'].map((achievement) => awardBody({ recipient, achievement }));
    const res = await postJson(t.app, '/awards/batch', { batchId: 'one-mail', notify: true, awards: [...awards, jsonAward(9)] });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Json).counts.issued).toBe(4);
    expect((await t.deps.mail!.deliverDue()).sent).toBe(2);
    const mine = server!.received.filter((m) => m.envelopeTo[0] === 'one.mail@example.edu');
    expect(mine).toHaveLength(1);
    const links = [...new Set(mine[0]!.text.match(/https?:\/\/\S+\/claim\/[A-Za-z0-9_-]{43}/g) ?? [])];
    expect(links).toHaveLength(1);
    for (const name of ['Differentiated Support', 'Aligned Instruction', 'Formative Assessment']) expect(mine[0]!.text).toContain(name);
    // The one link is a bundle: its page lists the three badges.
    const page = await (await t.app.request(new URL(links[0]!).pathname)).text();
    for (const name of ['Differentiated Support', 'Aligned Instruction', 'Formative Assessment']) expect(page).toContain(name);
  });
});
