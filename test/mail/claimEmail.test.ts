// Claim links by email: POST /awards with "notify": true queues the message in the award's
// transaction and the delivery loop sends it, after commit, to a real SMTP server the test runs
// on 127.0.0.1. An outage loses nothing, never fails the award, and is retried with backoff.
import { readFileSync, existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { mailDeliveryFromConfig } from '../../src/mail/fromConfig.js';
import type { MailDelivery } from '../../src/mail/delivery.js';
import { sql } from 'kysely';
import { ADMIN_TOKEN, awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';
import { freePort } from '../helpers/ports.js';
import { claimTokenOf, startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';

type Json = Record<string, any>;
const FROM = 'Riverside Badges <badges@riverside.example>';
const PROGRAM = 'Riverside Teacher Residency';
const recipient = { email: 'ana.lopez@example.edu', name: 'Ana Lopez' };

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function smtp(options: Parameters<typeof startSmtpServer>[0] = {}): Promise<TestSmtpServer> {
  const server = await startSmtpServer(options);
  cleanups.push(() => server.close());
  return server;
}

async function instance(env: Record<string, string>, logLines?: string[]): Promise<TestInstance> {
  const t = await createTestInstance({ env: { EDUCRED_ISSUER_NAME: PROGRAM, ...env }, ...(logLines ? { logLines } : {}) });
  cleanups.push(async () => {
    await t.deps.mail?.close();
    await t.close();
  });
  return t;
}

const mailEnv = (url: string): Record<string, string> => ({ EDUCRED_SMTP_URL: url, EDUCRED_MAIL_FROM: FROM });
const pathOf = (url: string): string => new URL(url).pathname;

/** A delivery loop on the instance's database with a clock the test moves (for backoff). */
function steppedDelivery(t: TestInstance, clock: { now: Date }, options: { maxAttempts?: number } = {}): MailDelivery {
  const delivery = mailDeliveryFromConfig(t.config.mail, { store: t.runtime.store, baseUrl: t.config.baseUrl, claimSecret: t.runtime.claimSecret, claimTtlDays: t.config.claimTtlDays, logger: t.runtime.logger }, {
    now: () => clock.now,
    retryBaseMs: 60_000,
    maxAttempts: options.maxAttempts ?? 10,
    transport: { timeoutMs: 2000 },
  });
  if (!delivery) throw new Error('mail is not configured');
  cleanups.push(() => delivery.close());
  return delivery;
}

describe('POST /awards with "notify": true', () => {
  it('emails the educator their claim link, in plain text and HTML, naming the program and the achievement', async () => {
    const server = await smtp();
    const t = await instance(mailEnv(server.url));
    const res = await postJson(t.app, '/awards', awardBody({ recipient, notify: true }));
    expect(res.status).toBe(201);
    const body = (await res.json()) as Json;
    expect(body.notification).toEqual({ state: 'pending', attempts: 0 });

    expect(await t.deps.mail!.deliverDue()).toEqual({ sent: 1, retrying: 0, failed: 0, cancelled: 0 });
    expect(server.received).toHaveLength(1);
    const mail = server.received[0]!;
    expect(mail.envelopeTo).toEqual(['ana.lopez@example.edu']);
    expect(mail.envelopeFrom).toBe('badges@riverside.example');
    expect(mail.headers.get('from')).toBe(FROM);
    expect(mail.subject).toBe(`Your badge from ${PROGRAM}: Formative Assessment`);
    expect(mail.headers.get('content-type')).toMatch(/^multipart\/alternative/);

    const claimUrl = /http:\/\/localhost:3000\/claim\/[A-Za-z0-9_-]{43}/.exec(mail.text)?.[0];
    // The message carries the award's live link: the one the answer gave the program.
    expect(claimUrl).toBe(body.claimUrl);
    expect(mail.text).toContain(`${PROGRAM} has awarded you the badge "Formative Assessment".`);
    expect(mail.text).toMatch(/^Hello Ana Lopez,/);
    expect(mail.text).toMatch(/works until \d{1,2} \w+ \d{4}, \d{2}:\d{2} UTC/);
    expect(mail.html).toContain(`<a href="${claimUrl}">${claimUrl}</a>`);
    expect(mail.html).toContain(`<strong>${PROGRAM}</strong> has awarded you the badge <strong>Formative Assessment</strong>`);

    // The link in the message works: the claim page opens and the badge downloads.
    const page = await t.app.request(pathOf(claimUrl!));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Formative Assessment');
    const download = await t.app.request(`${pathOf(claimUrl!)}/download`, { method: 'POST' });
    expect(download.status).toBe(200);
    expect(((await download.json()) as Json).id).toBe(body.credential.id);

    const view = (await (await t.app.request(`/awards/${body.id}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as Json;
    expect(view.notification.state).toBe('sent');
    expect(view.notification.attempts).toBe(1);
  });

  it('is sent by the delivery loop the server starts, without anyone asking', async () => {
    const server = await smtp();
    const t = await instance(mailEnv(server.url));
    t.deps.mail!.start();
    const res = await postJson(t.app, '/awards', awardBody({ recipient, notify: true }));
    expect(res.status).toBe(201);
    const mail = await server.waitForCount(1);
    expect(mail.envelopeTo).toEqual(['ana.lopez@example.edu']);
    expect(mail.text).toMatch(/\/claim\/[A-Za-z0-9_-]{43}/);
  });

  it('without notify, nothing is queued or sent', async () => {
    const server = await smtp();
    const t = await instance(mailEnv(server.url));
    const res = await postJson(t.app, '/awards', awardBody({ recipient }));
    expect(res.status).toBe(201);
    expect(Object.keys((await res.json()) as Json)).not.toContain('notification');
    expect((await t.runtime.store.mail.counts())).toEqual({ pending: 0, sent: 0, failed: 0, cancelled: 0 });
    expect(await t.deps.mail!.deliverDue()).toEqual({ sent: 0, retrying: 0, failed: 0, cancelled: 0 });
    expect(server.received).toHaveLength(0);
  });

  it('an idempotent replay with notify queues no second message', async () => {
    const server = await smtp();
    const t = await instance(mailEnv(server.url));
    const headers = { 'Idempotency-Key': 'notify-replay-1' };
    const first = (await (await postJson(t.app, '/awards', awardBody({ recipient, notify: true }), headers)).json()) as Json;
    const again = await postJson(t.app, '/awards', awardBody({ recipient, notify: true }), headers);
    expect(again.status).toBe(200);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect(((await again.json()) as Json).id).toBe(first.id);
    expect((await t.runtime.store.mail.counts()).pending).toBe(1);
    expect((await t.deps.mail!.deliverDue()).sent).toBe(1);
    expect(server.received).toHaveLength(1);
  });

  it('a replay with notify of an award made without it returns that award and queues its email now (notify is not part of the award)', async () => {
    const server = await smtp();
    const t = await instance(mailEnv(server.url));
    const headers = { 'Idempotency-Key': 'notify-replay-2' };
    const first = (await (await postJson(t.app, '/awards', awardBody({ recipient }), headers)).json()) as Json;
    const later = await postJson(t.app, '/awards', awardBody({ recipient, notify: true }), headers);
    expect(later.status).toBe(200);
    expect(later.headers.get('Idempotent-Replayed')).toBe('true');
    expect(((await later.json()) as Json).id).toBe(first.id);
    // Asking later for the email of an award made without it queues it now.
    expect((await t.runtime.store.mail.counts()).pending).toBe(1);
  });

  it('is not sent for a badge revoked before the message went out (cancelled, the reason kept)', async () => {
    const server = await smtp();
    const t = await instance(mailEnv(server.url));
    const body = (await (await postJson(t.app, '/awards', awardBody({ recipient, notify: true }))).json()) as Json;
    expect((await postJson(t.app, `/awards/${body.id}/revoke`, { reason: 'awarded in error' })).status).toBe(200);
    expect(await t.deps.mail!.deliverDue()).toEqual({ sent: 0, retrying: 0, failed: 0, cancelled: 1 });
    expect(server.received).toHaveLength(0);
    expect(await t.runtime.store.mail.findClaimEmail(body.id)).toMatchObject({ state: 'cancelled', lastError: 'no claim link to send: revoked' });
  });

  it('is not sent when the badge was claimed before the message went out (cancelled)', async () => {
    const server = await smtp();
    const t = await instance(mailEnv(server.url));
    const body = (await (await postJson(t.app, '/awards', awardBody({ recipient, notify: true }))).json()) as Json;
    expect((await t.app.request(`${pathOf(body.claimUrl)}/download`, { method: 'POST' })).status).toBe(200);
    expect(await t.deps.mail!.deliverDue()).toEqual({ sent: 0, retrying: 0, failed: 0, cancelled: 1 });
    expect(server.received).toHaveLength(0);
    expect((await t.runtime.store.mail.findClaimEmail(body.id))?.state).toBe('cancelled');
  });
});

describe('notify is refused (422, nothing issued) when no message can be sent', () => {
  it('for a recipient given only by DID: no address (names recipient.email)', async () => {
    const server = await smtp();
    const t = await instance(mailEnv(server.url));
    const before = await t.runtime.store.awards.count();
    const res = await postJson(t.app, '/awards', awardBody({ notify: true }));
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await res.json()) as Json;
    expect(problem.type).toBe('urn:educred:problem:notify-needs-email');
    expect(problem.errors).toEqual([{ pointer: '/recipient/email', detail: expect.stringContaining('notify') }]);
    expect(await t.runtime.store.awards.count()).toBe(before);
    expect((await t.runtime.store.mail.counts()).pending).toBe(0);
  });

  it('when EDUCRED_SMTP_URL is not configured (names notify and says so)', async () => {
    const t = await instance({});
    expect(t.deps.mail).toBeUndefined();
    const before = await t.runtime.store.awards.count();
    const res = await postJson(t.app, '/awards', awardBody({ recipient, notify: true }));
    expect(res.status).toBe(422);
    const problem = (await res.json()) as Json;
    expect(problem.type).toBe('urn:educred:problem:mail-not-configured');
    expect(problem.detail).toContain('EDUCRED_SMTP_URL is not configured');
    expect(problem.errors).toEqual([{ pointer: '/notify', detail: expect.stringContaining('EDUCRED_SMTP_URL') }]);
    expect(await t.runtime.store.awards.count()).toBe(before);
  });

  it('notify must be a boolean (400 naming /notify)', async () => {
    const t = await instance({});
    const res = await postJson(t.app, '/awards', awardBody({ recipient, notify: 'yes' }));
    expect(res.status).toBe(400);
    const problem = (await res.json()) as Json;
    expect(problem.errors.map((e: Json) => e.pointer)).toEqual(['/notify']);
  });
});

describe('a mail server outage loses no message and never fails the award', () => {
  it('answers 201 while the server is down; the message waits, is retried with backoff, and arrives when the server is back', async () => {
    const port = await freePort(); // nothing listens here yet: connections are refused
    const t = await instance(mailEnv(`smtp://127.0.0.1:${port}`));
    const res = await postJson(t.app, '/awards', awardBody({ recipient, notify: true }));
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as Json;

    const clock = { now: new Date() };
    const delivery = steppedDelivery(t, clock);
    const first = await delivery.deliverDue();
    expect(first).toEqual({ sent: 0, retrying: 1, failed: 0, cancelled: 0 });
    const row = (await t.runtime.store.mail.findClaimEmail(id))!;
    expect(row.state).toBe('pending');
    expect(row.lastError).toMatch(/ECONNREFUSED|ESOCKET|ECONNECTION/);
    const wait = Date.parse(row.nextAttemptAt) - clock.now.getTime();
    expect(wait).toBeGreaterThan(0);

    const server = await smtp({ port });
    // Not due yet: the backoff holds the retry back.
    expect((await delivery.deliverDue()).sent).toBe(0);
    expect(server.received).toHaveLength(0);

    clock.now = new Date(Date.parse(row.nextAttemptAt));
    expect(await delivery.deliverDue()).toEqual({ sent: 1, retrying: 0, failed: 0, cancelled: 0 });
    expect(server.received).toHaveLength(1);
    expect(server.received[0]!.envelopeTo).toEqual(['ana.lopez@example.edu']);
    expect(await t.runtime.store.mail.findClaimEmail(id)).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('backs off exponentially, and after the last attempt marks the message failed and logs it (the award stands)', async () => {
    const port = await freePort();
    const logLines: string[] = [];
    const t = await instance(mailEnv(`smtp://badges:s3cret-Pa55@127.0.0.1:${port}`), logLines);
    const { id } = (await (await postJson(t.app, '/awards', awardBody({ recipient, notify: true }))).json()) as Json;
    const clock = { now: new Date() };
    const delivery = steppedDelivery(t, clock, { maxAttempts: 3 });
    const waits: number[] = [];
    for (let i = 0; i < 2; i++) {
      expect((await delivery.deliverDue()).retrying).toBe(1);
      const row = (await t.runtime.store.mail.findClaimEmail(id))!;
      waits.push(Date.parse(row.nextAttemptAt) - clock.now.getTime());
      clock.now = new Date(row.nextAttemptAt);
    }
    expect(waits).toEqual([60_000, 120_000]);
    expect(await delivery.deliverDue()).toEqual({ sent: 0, retrying: 0, failed: 1, cancelled: 0 });
    expect(await t.runtime.store.mail.findClaimEmail(id)).toMatchObject({ state: 'failed', attempts: 3 });
    // Given up: a later pass does not try again.
    clock.now = new Date(clock.now.getTime() + 24 * 3600_000);
    expect((await delivery.deliverDue()).failed).toBe(0);

    const failedLine = logLines.map((l) => JSON.parse(l) as Json).find((l) => /failed for good/.test(l.msg));
    expect(failedLine).toMatchObject({ level: 50, awardId: id, attempts: 3 });
    const log = logLines.join('\n');
    expect(log).not.toContain('s3cret-Pa55');
    expect(await t.runtime.store.awards.count()).toBe(1);

    const view = (await (await t.app.request(`/awards/${id}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as Json;
    expect(view.notification).toMatchObject({ state: 'failed', attempts: 3, lastError: expect.any(String) });
  });

  it('an unreachable server costs one try per pass, not one per message: the others wait with it', async () => {
    let connections = 0;
    const dropper = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => dropper.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => dropper.close(() => resolve())));
    const t = await instance(mailEnv(`smtp://127.0.0.1:${(dropper.address() as AddressInfo).port}`));
    for (let i = 0; i < 5; i++) {
      expect((await postJson(t.app, '/awards', awardBody({ recipient: { email: `educator${i}@example.edu`, name: `Educator ${i}` }, notify: true }))).status).toBe(201);
    }
    const clock = { now: new Date() };
    const delivery = steppedDelivery(t, clock);
    expect(await delivery.deliverDue()).toEqual({ sent: 0, retrying: 5, failed: 0, cancelled: 0 });
    const rows: Json[] = (await sql<Json>`SELECT attempts, last_error AS lastError, state FROM mail_outbox`.execute(t.runtime.store.kysely)).rows;
    expect(rows.map((r) => [r.state, r.attempts])).toEqual(Array.from({ length: 5 }, () => ['pending', 1]));
    expect(rows.filter((r) => String(r.lastError).startsWith('not tried: ECONNECTION'))).toHaveLength(4);
    // Paused until the backoff has passed: no new connection, even when woken.
    const seen = connections;
    expect(seen).toBeGreaterThan(0);
    expect(await delivery.deliverDue()).toEqual({ sent: 0, retrying: 0, failed: 0, cancelled: 0 });
    expect(connections).toBe(seen);
  });

  it('a server that refuses the message (451) is retried like an outage', async () => {
    const server = await smtp();
    const t = await instance(mailEnv(server.url));
    const { id } = (await (await postJson(t.app, '/awards', awardBody({ recipient, notify: true }))).json()) as Json;
    await server.stop();
    const refusing = await smtp({ port: server.port, refuse: { code: 451, message: 'Try again later' } });
    const clock = { now: new Date() };
    const delivery = steppedDelivery(t, clock);
    expect((await delivery.deliverDue()).retrying).toBe(1);
    expect((await t.runtime.store.mail.findClaimEmail(id))?.lastError).toContain('SMTP 451');
    await refusing.stop();
    await server.start();
    clock.now = new Date((await t.runtime.store.mail.findClaimEmail(id))!.nextAttemptAt);
    expect((await delivery.deliverDue()).sent).toBe(1);
    expect(server.received).toHaveLength(1);
  });
});

describe('two processes sharing the database (the server and the CLI)', () => {
  it('never send one message twice: each due row is leased by one of them', async () => {
    const server = await smtp();
    const t = await instance(mailEnv(server.url));
    for (let i = 0; i < 6; i++) {
      const res = await postJson(t.app, '/awards', awardBody({ recipient: { email: `educator${i}@example.edu`, name: `Educator ${i}` }, notify: true }));
      expect(res.status).toBe(201);
    }
    const clock = { now: new Date() };
    const [a, b] = await Promise.all([steppedDelivery(t, clock).deliverDue(), steppedDelivery(t, clock).deliverDue()]);
    expect(a.sent + b.sent).toBe(6);
    expect(server.received).toHaveLength(6);
    expect(new Set(server.received.map((m) => m.envelopeTo[0])).size).toBe(6);
  });
});

describe('claim secrets stay out of the database and the logs', () => {
  it('the sqlite files hold no claim token and no claim URL, before or after sending; the log neither', async () => {
    const logLines: string[] = [];
    const server = await smtp();
    const t = await instance(mailEnv(server.url), logLines);
    const res = await postJson(t.app, '/awards', awardBody({ recipient, notify: true }));
    expect(res.status).toBe(201);
    await t.deps.mail!.deliverDue();
    const mail = server.received[0]!;
    const token = claimTokenOf(mail.text);
    const files = [t.config.databaseFile, `${t.config.databaseFile}-wal`].filter((f) => existsSync(f));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const bytes = readFileSync(file);
      expect(bytes.includes(Buffer.from(token))).toBe(false);
      expect(bytes.includes(Buffer.from('/claim/'))).toBe(false);
    }
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain(token);
    expect(logLines.join('\n')).toContain('claim email sent');
  });
});
