// Claim emails as the processes really run, compiled: `educred serve` (the server's delivery
// loop sends what POST /awards queued, and stops cleanly), and `educred issue --notify` (and
// with --csv): queued with the award and sent before the command exits; what the mail server
// did not take stays queued for the server's delivery loop, and the award stands.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimSecretFile, loadOrCreateClaimSecret } from '../../src/claims/claimSecret.js';
import { mailDeliveryFromConfig } from '../../src/mail/fromConfig.js';
import { openStore } from '../../src/store/store.js';
import { masteryEvidence } from '../helpers/app.js';
import { csvBatch } from '../helpers/batch.js';
import { awardBody } from '../helpers/app.js';
import { authorized, buildServer, startChildServer } from '../helpers/childServer.js';
import { freePort } from '../helpers/ports.js';
import { claimTokenOf, startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';

type Json = Record<string, any>;
let cli: string;
let serverEntry: string;
let removeBuild: () => void;
let work: string;
let evidenceFile: string;
let server: TestSmtpServer;

beforeAll(async () => {
  const built = await buildServer('mail-processes');
  cli = path.join(path.dirname(built.entry), 'cli.js');
  serverEntry = built.entry;
  removeBuild = built.remove;
  work = mkdtempSync(path.join(tmpdir(), 'educred-cli-mail-'));
  evidenceFile = path.join(work, 'evidence.json');
  writeFileSync(evidenceFile, JSON.stringify(masteryEvidence()));
  server = await startSmtpServer();
}, 180_000);

afterAll(async () => {
  await server.close();
  removeBuild();
  rmSync(work, { recursive: true, force: true });
});

let runs = 0;
/** Runs the bin without blocking this process, so the SMTP server in it can answer. */
function educred(args: string[], env: Record<string, string>): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd: work, env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', BASE_URL: 'http://localhost:3000', EDUCRED_SIGNING_WORKERS: '0', ...env } }, (error, stdout, stderr) => {
      resolve({ status: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function dataDir(): string {
  return path.join(work, `data-${++runs}`);
}

const issueArgs = (email = 'ana.lopez@example.edu') => ['issue', '--json', '--notify', '--achievement', 'formative-assessment', '--recipient-email', email, '--name', 'Ana Lopez', '--evidence', evidenceFile];
const mailEnv = (url: string) => ({ EDUCRED_SMTP_URL: url, EDUCRED_MAIL_FROM: 'Badges <badges@program.example>' });

describe('educred issue --notify', () => {
  it('emails the claim link before it exits; the link in the message is a live claim link', async () => {
    const dir = dataDir();
    const before = server.received.length;
    const run = await educred(issueArgs(), { EDUCRED_DATA_DIR: dir, ...mailEnv(server.url) });
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout) as Json;
    expect(out.notification).toEqual({ state: 'sent', attempts: 1 });
    expect(server.received).toHaveLength(before + 1);
    const mail = server.received.at(-1)!;
    expect(mail.envelopeTo).toEqual(['ana.lopez@example.edu']);
    const store = await openStore({ engine: 'sqlite', file: path.join(dir, 'educred.sqlite') });
    try {
      // The message carries the link the command printed.
      expect(mail.text).toContain(out.claimUrl);
      const link = await store.claimLinks.find(claimTokenOf(mail.text));
      expect(link).toMatchObject({ awardId: out.id, spentAt: null, replacedAt: null });
    } finally {
      await store.close();
    }
  });

  it('with the mail server down: the award is made (exit 0), the message stays queued, and the delivery loop sends it later', async () => {
    const dir = dataDir();
    const port = await freePort();
    const url = `smtp://127.0.0.1:${port}`;
    const run = await educred(issueArgs('ben.okafor@example.edu'), { EDUCRED_DATA_DIR: dir, ...mailEnv(url) });
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout) as Json;
    expect(out.notification).toMatchObject({ state: 'pending', attempts: 1, lastError: expect.stringMatching(/ECONNREFUSED|ECONNECTION|ESOCKET/) });
    expect(out.credential.id).toBe(`http://localhost:3000/credentials/${out.id}`);

    // The server's delivery loop on the same database, once the mail server is back.
    const back = await startSmtpServer({ port });
    const store = await openStore({ engine: 'sqlite', file: path.join(dir, 'educred.sqlite') });
    const silent = pino({ level: 'silent' });
    const later = new Date(Date.now() + 3600_000);
    const delivery = mailDeliveryFromConfig({ smtpUrl: url, from: 'badges@program.example' }, { store, baseUrl: 'http://localhost:3000', claimSecret: loadOrCreateClaimSecret(claimSecretFile(dir), silent), claimTtlDays: 30, logger: silent }, { now: () => later })!;
    try {
      expect((await delivery.deliverDue()).sent).toBe(1);
      expect(back.received[0]!.envelopeTo).toEqual(['ben.okafor@example.edu']);
      expect(await store.mail.findClaimEmail(out.id)).toMatchObject({ state: 'sent', attempts: 2 });
    } finally {
      await delivery.close();
      await store.close();
      await back.close();
    }
  });

  it('refuses --notify for a DID-only recipient, and without EDUCRED_SMTP_URL, before issuing anything', async () => {
    const dir = dataDir();
    const did = await educred(['issue', '--notify', '--achievement', 'formative-assessment', '--recipient-did', 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', '--evidence', evidenceFile], {
      EDUCRED_DATA_DIR: dir,
      ...mailEnv(server.url),
    });
    expect(did.status).toBe(1);
    expect(did.stderr).toContain('recipient.email');
    const unconfigured = await educred(issueArgs(), { EDUCRED_DATA_DIR: dir });
    expect(unconfigured.status).toBe(1);
    expect(unconfigured.stderr).toContain('EDUCRED_SMTP_URL is not configured');
    const store = await openStore({ engine: 'sqlite', file: path.join(dir, 'educred.sqlite') });
    try {
      expect(await store.awards.count()).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('--csv --notify emails every awarded row and reports the messages by state', async () => {
    const dir = dataDir();
    const file = path.join(work, 'cohort.csv');
    writeFileSync(file, csvBatch(3, 40));
    const before = server.received.length;
    const run = await educred(['issue', '--csv', file, '--notify', '--json'], { EDUCRED_DATA_DIR: dir, ...mailEnv(server.url) });
    expect(run.status).toBe(0);
    const summary = JSON.parse(run.stdout) as Json;
    expect(summary.counts.issued).toBe(3);
    expect(summary.notifications).toEqual({ pending: 0, sent: 3, failed: 0, cancelled: 0 });
    expect(server.received.slice(before).map((m) => m.envelopeTo[0]).sort()).toEqual(['educator40@example.edu', 'educator41@example.edu', 'educator42@example.edu']);
    const store = await openStore({ engine: 'sqlite', file: path.join(dir, 'educred.sqlite') });
    try {
      expect(await store.mail.counts()).toEqual({ pending: 0, sent: 3, failed: 0, cancelled: 0 });
    } finally {
      await store.close();
    }
  });
});

describe('the server', () => {
  it('sends the claim email of POST /awards with notify from its own delivery loop, and stops cleanly with it running', async () => {
    const dir = dataDir();
    const port = await freePort();
    const child = await startChildServer({ entry: serverEntry, dataDir: dir, port, env: { ...mailEnv(server.url), EDUCRED_SIGNING_WORKERS: '1' } });
    try {
      const before = server.received.length;
      const res = await fetch(`${child.origin}/awards`, {
        method: 'POST',
        headers: authorized({ 'Content-Type': 'application/json' }),
        body: JSON.stringify(awardBody({ recipient: { email: 'cara.diaz@example.edu', name: 'Cara Diaz' }, notify: true })),
      });
      expect(res.status).toBe(201);
      const body = (await res.json()) as Json;
      expect(body.notification.state).toMatch(/^(pending|sent)$/);
      const mail = await server.waitForCount(before + 1);
      expect(mail.envelopeTo).toEqual(['cara.diaz@example.edu']);
      const claimUrl = /http:\/\/127\.0\.0\.1:\d+\/claim\/[A-Za-z0-9_-]{43}/.exec(mail.text)?.[0];
      expect(claimUrl).toBeDefined();
      const page = await fetch(claimUrl!, { headers: { Accept: 'text/html' } });
      expect(page.status).toBe(200);
      const view = (await (await fetch(`${child.origin}/awards/${body.id}`, { headers: authorized() })).json()) as Json;
      expect(view.notification.state).toBe('sent');
    } finally {
      child.child.kill('SIGTERM');
      expect(await child.exited).toBe('0');
    }
    expect(child.output()).not.toMatch(/\/claim\/[A-Za-z0-9_-]{43}/);
  });
});
