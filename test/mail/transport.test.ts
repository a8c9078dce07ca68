// The SMTP transport against real SMTP servers on 127.0.0.1: STARTTLS is used whenever the
// server offers it (RFC 3207) and the certificate is verified (no plaintext fallback when it
// fails), smtps:// is TLS from the first byte (RFC 8314), the login from the URL is used, and
// nothing logged or stored names the password. Plus the message itself: text and HTML, with
// everything interpolated escaped in the HTML.
import { afterEach, describe, expect, it } from 'vitest';
import { composeClaimMessage, type ClaimMessage } from '../../src/mail/claimMessage.js';
import { createMailTransport, describeSendError, describeSmtpUrl, smtpSecrets } from '../../src/mail/transport.js';
import { TEST_TLS } from '../helpers/tls.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function smtp(options: Parameters<typeof startSmtpServer>[0] = {}): Promise<TestSmtpServer> {
  const server = await startSmtpServer(options);
  cleanups.push(() => server.close());
  return server;
}

function transport(url: string, tls?: { ca: string }) {
  const t = createMailTransport(url, { tls, timeoutMs: 3000 });
  cleanups.push(() => t.close());
  return t;
}

const credential = (issuerName: string, achievementName: string) => ({
  issuer: { id: 'did:key:z6Mkexample', type: ['Profile'], name: issuerName },
  credentialSubject: { type: ['AchievementSubject'], achievement: { type: ['Achievement'], name: achievementName } },
});

const message = (): Promise<ClaimMessage> =>
  composeClaimMessage({
    to: 'ana.lopez@example.edu',
    from: 'badges@riverside.example',
    credential: credential('Riverside Teacher Residency', 'Formative Assessment'),
    recipientName: 'Ana Lopez',
    claimUrl: 'https://badges.riverside.example/claim/abc123',
    claimExpiresAt: '2026-12-31T23:00:00.000Z',
  });

describe('SMTP transport', () => {
  it('upgrades with STARTTLS when the server offers it, verifies the certificate, and logs in with the URL credentials', async () => {
    const server = await smtp({ starttls: TEST_TLS, auth: { user: 'badges', pass: 'p@ss word/1' } });
    const sent = await transport(server.url, { ca: TEST_TLS.cert }).send(await message());
    expect(sent.messageId).toMatch(/^<.+@.+>$/);
    expect(server.received).toHaveLength(1);
    expect(server.received[0]).toMatchObject({ secure: true, user: 'badges', envelopeTo: ['ana.lopez@example.edu'] });
  });

  it('refuses a STARTTLS certificate it cannot verify, and does not fall back to plaintext', async () => {
    const server = await smtp({ starttls: TEST_TLS });
    await expect(transport(server.url).send(await message())).rejects.toThrow(/certificate/i);
    expect(server.received).toHaveLength(0);
  });

  it('smtps:// speaks TLS from the first byte', async () => {
    const server = await smtp({ implicitTls: TEST_TLS, auth: { user: 'badges', pass: 'secret-1' } });
    expect(server.url).toMatch(/^smtps:\/\//);
    await transport(server.url, { ca: TEST_TLS.cert }).send(await message());
    expect(server.received[0]).toMatchObject({ secure: true, user: 'badges' });
  });

  it('sends in plaintext only when the server offers no STARTTLS', async () => {
    const server = await smtp();
    await transport(server.url).send(await message());
    expect(server.received[0]!.secure).toBe(false);
  });

  it('a wrong password is a send error that names no password', async () => {
    const server = await smtp({ starttls: TEST_TLS, auth: { user: 'badges', pass: 'right-pass' } });
    const url = `smtp://badges:wrong-pass-9@127.0.0.1:${server.port}`;
    const error = await transport(url, { ca: TEST_TLS.cert }).send(await message()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const line = describeSendError(error, smtpSecrets(url));
    expect(line).toMatch(/EAUTH/);
    expect(line).not.toContain('wrong-pass-9');
    expect(server.received).toHaveLength(0);
  });

  it('describeSmtpUrl hides the password; describeSendError cuts out every secret', () => {
    expect(describeSmtpUrl('smtp://badges:s3cret@mail.example.org:587')).toBe('smtp://badges:***@mail.example.org:587');
    expect(smtpSecrets('smtp://u:p%40ss@h:25')).toEqual(['p%40ss', 'p@ss']);
    expect(describeSendError(new Error('bad p@ss near https://x/claim/tok'), ['p@ss', 'https://x/claim/tok'])).toBe('bad *** near ***');
  });
});

describe('the claim message', () => {
  it('is plain text and HTML with the program, the achievement, the link and its expiry', async () => {
    const m = await message();
    expect(m.subject).toBe('Your badge from Riverside Teacher Residency: Formative Assessment');
    expect(m.text).toContain('Riverside Teacher Residency has awarded you the badge "Formative Assessment".');
    expect(m.text).toContain('\nhttps://badges.riverside.example/claim/abc123\n');
    expect(m.text).toContain('works until 31 December 2026, 23:00 UTC');
    expect(m.html).toContain('<a href="https://badges.riverside.example/claim/abc123">https://badges.riverside.example/claim/abc123</a>');
    expect(m.html).toContain('works until 31 December 2026, 23:00 UTC');
  });

  it('escapes everything interpolated into the HTML, and keeps line breaks out of the subject', async () => {
    const m = await composeClaimMessage({
      to: 'ana.lopez@example.edu',
      from: 'badges@riverside.example',
      credential: credential('Ridge & <Valley> "Residency"', '<img src=x onerror=alert(1)>'),
      recipientName: '<script>alert("hi")</script>',
      claimUrl: 'https://badges.example/claim/a"onmouseover="alert(1)',
      claimExpiresAt: '2026-12-31T23:00:00.000Z',
    });
    expect(m.html).not.toMatch(/<img|<script|<Valley>|"onmouseover/);
    expect(m.html).toContain('Ridge &amp; &lt;Valley&gt; &quot;Residency&quot;');
    expect(m.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(m.html).toContain('Hello &lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt;,');
    expect(m.html).toContain('href="https://badges.example/claim/a&quot;onmouseover=&quot;alert(1)"');
    // The plain text part is text: shown as written.
    expect(m.text).toContain('Ridge & <Valley> "Residency" has awarded you the badge "<img src=x onerror=alert(1)>".');

    const injected = await composeClaimMessage({
      to: 'a@example.edu',
      from: 'b@example.edu',
      credential: credential('Program\r\nBcc: victim@example.org', 'Badge'),
      recipientName: null,
      claimUrl: 'https://x.example/claim/t',
      claimExpiresAt: '2026-12-31T23:00:00.000Z',
    });
    expect(injected.subject).toBe('Your badge from Program Bcc: victim@example.org: Badge');
    expect(injected.text).toMatch(/^Hello,\n/);
  });
});
