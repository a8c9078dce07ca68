// The claim email: tells an educator that a program awarded them a badge and gives the claim
// link, as plain text and as HTML (a multipart/alternative message, RFC 2046 §5.1.4). Every
// value from the credential or the configuration is escaped in the HTML by hono/html.
import { html } from 'hono/html';
import { badgeFacts, humanDate } from '../pages/badgeFacts.js';
import { credentialTitle } from '../claims/claimBundle.js';

export interface ClaimMessageInput {
  /** The educator's address (the award's recipient email). */
  to: string;
  from: string;
  /** The award's signed credential: the program (issuer profile) and achievement names come from it. */
  credential: Record<string, unknown>;
  /** The recipient's display name as the award recorded it. */
  recipientName: string | null;
  claimUrl: string;
  claimExpiresAt: string;
}

export interface ClaimMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Line breaks and other control characters have no place in a header or a one-line value. */
const oneLine = (value: string): string => value.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ').trim();

function expiryText(iso: string): string {
  const day = humanDate(iso) ?? iso;
  const time = new Date(iso).toISOString().slice(11, 16);
  return `${day}, ${time} UTC`;
}

export async function composeClaimMessage(input: ClaimMessageInput): Promise<ClaimMessage> {
  const facts = badgeFacts(input.credential);
  const program = oneLine(facts.issuerName);
  const achievement = oneLine(facts.achievementName);
  const greeting = input.recipientName ? `Hello ${oneLine(input.recipientName)},` : 'Hello,';
  const expires = expiryText(input.claimExpiresAt);
  // The educator's own page (issue 16): the service's base URL is what precedes /claim/ in the link.
  const myPage = `${input.claimUrl.slice(0, Math.max(0, input.claimUrl.lastIndexOf('/claim/')))}/me`;

  const text = [
    greeting,
    '',
    `${program} has awarded you the badge "${achievement}".`,
    '',
    'Open this link to add it to your digital wallet, or to download it:',
    input.claimUrl,
    '',
    `The link can be used once and works until ${expires}. If it has expired, ask ${program} for a new one.`,
    '',
    `All your badges, to download and share: ${myPage}`,
    '',
    `This message was sent by ${program}. If you did not expect it, you can ignore it.`,
    '',
  ].join('\n');

  const body = await html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Your badge from ${program}</title></head>
<body style="font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;line-height:1.5;color:#1b1f24">
<p>${greeting}</p>
<p><strong>${program}</strong> has awarded you the badge <strong>${achievement}</strong>.</p>
<p><a href="${input.claimUrl}" style="display:inline-block;padding:.6em 1.1em;background:#0b5cad;color:#fff;text-decoration:none;border-radius:6px">Claim your badge</a></p>
<p>Or open this link: <a href="${input.claimUrl}">${input.claimUrl}</a></p>
<p>The link can be used once and works until ${expires}. If it has expired, ask ${program} for a new one.</p>
<p>All your badges, to download and share: <a href="${myPage}">${myPage}</a></p>
<p style="color:#57606a;font-size:.9em">This message was sent by ${program}. If you did not expect it, you can ignore it.</p>
</body>
</html>
`;

  return {
    from: input.from,
    to: input.to,
    subject: `Your badge from ${program}: ${achievement}`,
    text,
    html: body.toString(),
  };
}

export interface BundleMessageInput extends Omit<ClaimMessageInput, 'credential'> {
  /** Every credential the one link covers (badges, then the program record). */
  credentials: Record<string, unknown>[];
}

/** One email for everything an educator holds (issue 16): the list, and one link for all of it. */
export async function composeBundleMessage(input: BundleMessageInput): Promise<ClaimMessage> {
  const first = input.credentials[0] ?? {};
  const program = oneLine(badgeFacts(first).issuerName);
  const titles = input.credentials.map((c) => oneLine(credentialTitle(c)));
  const greeting = input.recipientName ? `Hello ${oneLine(input.recipientName)},` : 'Hello,';
  const expires = expiryText(input.claimExpiresAt);
  const count = titles.length;
  const text = [
    greeting,
    '',
    `${program} has issued you ${count} credentials:`,
    ...titles.map((t) => `- ${t}`),
    '',
    'Open this link to add them all to your digital wallet at once:',
    input.claimUrl,
    '',
    `The link can be used once and works until ${expires}. If it has expired, ask ${program} for a new one.`,
    '',
    `This message was sent by ${program}. If you did not expect it, you can ignore it.`,
    '',
  ].join('\n');
  const body = await html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Your credentials from ${program}</title></head>
<body style="font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;line-height:1.5;color:#1b1f24">
<p>${greeting}</p>
<p><strong>${program}</strong> has issued you ${count} credentials:</p>
<ul>${titles.map((t) => html`<li>${t}</li>`)}</ul>
<p><a href="${input.claimUrl}" style="display:inline-block;padding:.6em 1.1em;background:#0b5cad;color:#fff;text-decoration:none;border-radius:6px">Claim all ${count}</a></p>
<p>Or open this link: <a href="${input.claimUrl}">${input.claimUrl}</a></p>
<p>The link can be used once and works until ${expires}. If it has expired, ask ${program} for a new one.</p>
<p style="color:#57606a;font-size:.9em">This message was sent by ${program}. If you did not expect it, you can ignore it.</p>
</body>
</html>
`;
  return { from: input.from, to: input.to, subject: `Your ${count} credentials from ${program}`, text, html: body.toString() };
}
