// The sign-in email of the educator's page: the link, how long it works, and what to do if the
// educator did not ask for it. Plain text and HTML (multipart/alternative, RFC 2046 §5.1.4);
// every value is escaped in the HTML by hono/html.
import { html } from 'hono/html';
import type { ClaimMessage } from '../mail/claimMessage.js';
import { humanDate } from '../pages/badgeFacts.js';

export interface SignInMessageInput {
  to: string;
  from: string;
  url: string;
  expiresAt: string;
  name: string | null;
}

const oneLine = (value: string): string => value.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ').trim();

export async function signInMessage(input: SignInMessageInput): Promise<ClaimMessage> {
  const greeting = input.name ? `Hello ${oneLine(input.name)},` : 'Hello,';
  const until = humanDate(input.expiresAt) ?? input.expiresAt;
  const text = [
    greeting,
    '',
    'Open this link to see all your badges and records, download them, and make share links:',
    input.url,
    '',
    `The link works once, until ${until}. If you did not ask for it, ignore this message: nothing happens without the link.`,
    '',
  ].join('\n');
  const body = await html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Your badges</title></head>
<body style="font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;line-height:1.5;color:#1b1f24">
<p>${greeting}</p>
<p>Open this link to see all your badges and records, download them, and make share links:</p>
<p><a href="${input.url}" style="display:inline-block;padding:.6em 1.1em;background:#0b5cad;color:#fff;text-decoration:none;border-radius:6px">Open my badges</a></p>
<p>Or open this link: <a href="${input.url}">${input.url}</a></p>
<p>The link works once, until ${until}. If you did not ask for it, ignore this message: nothing happens without the link.</p>
</body>
</html>
`;
  return { from: input.from, to: input.to, subject: 'Your sign-in link: your badges', text, html: body.toString() };
}
