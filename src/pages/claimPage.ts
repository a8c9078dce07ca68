// The claim page an educator opens from the link in their award email: what the badge is and
// its live status, how to put it into a wallet (deep link and QR code), or how to download the
// file instead. A revoked or suspended badge is shown with its status and offered neither way.
import { html } from 'hono/html';
import type { ClaimGoneError } from '../claims/errors.js';
import type { WalletLinks } from '../claims/claimLink.js';
import { badgeFacts, evidenceSummary, humanDate } from './badgeFacts.js';
import type { Html, PageOptions } from './layout.js';
import { STATUS_PILL, type LiveStatus } from './liveStatus.js';

export interface ClaimPageInput {
  token: string;
  credential: Record<string, unknown>;
  wallet: WalletLinks;
  /** The OID4VCI credential offer (openid-credential-offer://) and the transaction code, when one is required. */
  openid: { deepLink: string; txCode?: string | undefined };
  expiresAt: string;
  /** The badge's live status; a revoked, suspended or unreadable one is not offered. */
  status: LiveStatus;
}


/** Why a badge with this status is not offered; undefined when it is. */
function notOffered(status: LiveStatus, expiresAt: string): Html | undefined {
  switch (status.state) {
    case 'revoked':
      return html`<p>This badge cannot be collected: the program that issued it revoked it. If you think this is a mistake, contact the program.</p>`;
    case 'suspended':
      return html`<p>This badge cannot be collected while it is suspended. If the program reinstates it, this same link works again (until ${humanDate(expiresAt)}).</p>`;
    case 'unknown':
      return html`<p>The badge's status cannot be checked right now, so it is not handed out. Try again later.</p>`;
    default:
      return undefined;
  }
}

/**
 * The two wallet families' ways in, the same on a one-badge link and a bundle: the deep-link
 * buttons first (a phone), the code an OpenID wallet will ask for, and the QR codes only on a
 * large screen (CSS, no script).
 */
function walletChoices(input: { wallet: WalletLinks; openid: { deepLink: string; txCode?: string | undefined } }, base: string, what: string): Html {
  return html`<div class="actions big-actions" id="wallet-links">
    <a class="button" id="lcw-link" href="${input.wallet.deepLink}">Open in Learner Credential Wallet</a>
    <a class="button" id="openid-link" href="${input.openid.deepLink}">Open in another wallet (OpenID)</a>
    <a class="button secondary" href="${input.wallet.lcwAppLink}">Open via lcw.app</a>
  </div>
  <p class="note">Learner Credential Wallet and its relatives use the first button; most other wallets (walt.id, LearnCard, European and other OpenID for Verifiable Credential Issuance wallets) use the second.</p>
  ${input.openid.txCode ? html`<p id="tx-code">Your OpenID wallet will ask for this code: <span class="tx-code">${input.openid.txCode}</span></p>` : ''}
  <div class="qr-pair large-screen-only" id="wallet-qr">
    <p><strong>On a computer:</strong> open the wallet on your phone, choose <em>Scan QR code</em>, and scan the code for your wallet.</p>
    <figure>
      <img class="qr" src="${base}/wallet-qr.svg" alt="QR code for the Learner Credential Wallet: it starts the transfer of ${what}" width="220" height="220">
      <figcaption>Learner Credential Wallet</figcaption>
    </figure>
    <figure>
      <img class="qr" src="${base}/offer-qr.svg" alt="QR code for OpenID wallets: the credential offer of ${what}" width="220" height="220">
      <figcaption>Other wallets (OpenID for Verifiable Credential Issuance)</figcaption>
    </figure>
  </div>`;
}

export function claimPage(input: ClaimPageInput): PageOptions {
  const f = badgeFacts(input.credential);
  const base = `/claim/${encodeURIComponent(input.token)}`;
  const pill = STATUS_PILL[input.status.state];
  const refusal = notOffered(input.status, input.expiresAt);
  const about: Html = html`
<h1>Your badge: ${f.achievementName}</h1>
<p><span class="pill ${pill.tone}" id="status">${pill.label}</span> <span class="note">${input.status.detail}</span></p>
<section class="card" aria-labelledby="about">
  <div class="badge-head">
    ${f.image ? html`<img src="${f.image}" alt="Badge image: ${f.achievementName}" width="140" height="140">` : ''}
    <div>
      <h2 id="about" class="sr-only">About this badge</h2>
      <dl class="facts">
        <dt>Competency</dt><dd>${f.competency ?? f.achievementName}${f.framework ? html` <span class="note">(${f.framework})</span>` : ''}</dd>
        <dt>Issued by</dt><dd>${f.issuerName}</dd>
        ${f.recipientName ? html`<dt>Awarded to</dt><dd>${f.recipientName}</dd>` : ''}
        <dt>Awarded on</dt><dd>${humanDate(f.awardedDate) ?? 'unknown'}</dd>
        <dt>Evidence</dt><dd>${evidenceSummary(f.evidence)}</dd>
      </dl>
    </div>
  </div>
  ${f.achievementDescription ? html`<p>${f.achievementDescription}</p>` : ''}
</section>`;
  const body: Html = refusal
    ? html`${about}
<section class="card" aria-labelledby="unavailable"><h2 id="unavailable">Not available</h2>${refusal}</section>`
    : html`${about}

<section class="card" aria-labelledby="wallet">
  <h2 id="wallet">Add it to your wallet (recommended)</h2>
  <p>A wallet app keeps your badges on your phone and lets you share them with schools and state agencies, who can check them without contacting us.</p>
  <p><strong>On this phone:</strong> tap the button for your wallet. The wallet asks which identity to use; the badge is then issued to that identity, so only your wallet can present it as yours.</p>
  ${walletChoices(input, base, 'this badge')}
</section>

<section class="card" aria-labelledby="download">
  <h2 id="download">Or download the file</h2>
  <p>The file is the signed badge itself. You can keep it, email it, or import it into a wallet later (the badge then stays linked to your email address rather than to a wallet identity).</p>
  <form method="post" action="${base}/download">
    <button type="submit" class="secondary">Download credential (.json)</button>
  </form>
</section>

<form method="post" action="${base}/me" class="card" id="my-page">
  <p>See every badge and record issued to you, download them, and make share links on your own page.</p>
  <button type="submit" class="secondary">Open my page</button>
</form>

<p class="note"><strong>This link works once.</strong> After you add the badge to a wallet or download it, the link stops working, so nobody else can collect your badge. Unused, it expires on ${humanDate(input.expiresAt)}.</p>`;
  return {
    title: `Claim your badge: ${f.achievementName}`,
    description: `Claim the ${f.achievementName} badge issued by ${f.issuerName}.`,
    body,
  };
}

/** What an educator sees when the link is used up, expired or replaced (HTTP 410). */
export function claimGoneLines(error: ClaimGoneError): Html[] {
  const when = humanDate(error.at);
  switch (error.reason) {
    case 'spent':
      return [
        html`This badge was already collected with this link on ${when}. A claim link works only once, so that nobody else can collect your badge.`,
        html`If it was you, the badge is in your wallet or your downloads. If it was not you, contact the program that issued the badge.`,
      ];
    case 'expired':
      return [html`This claim link expired on ${when} without being used.`, html`Ask the program that issued the badge for a new link.`];
    case 'replaced':
      return [html`The program sent a newer claim link for this badge on ${when}; this one no longer works.`, html`Use the most recent link you received.`];
  }
}

export interface BundlePageItem {
  title: string;
  /** A program record (ClrCredential) rather than a badge. */
  record: boolean;
  status: LiveStatus;
  claimed: boolean;
  credentialUrl?: string | undefined;
}

export interface BundlePageInput {
  token: string;
  issuerName: string;
  items: BundlePageItem[];
  wallet: WalletLinks;
  openid: { deepLink: string; txCode?: string | undefined };
  expiresAt: string;
}

function itemNote(item: BundlePageItem): string {
  if (item.claimed) return 'already collected';
  if (item.status.state === 'revoked' || item.status.state === 'suspended' || item.status.state === 'unknown') return `${STATUS_PILL[item.status.state].label.toLowerCase()}: not handed out`;
  return '';
}

/**
 * The claim page of one link for everything an educator holds (issue 16): every credential it
 * covers, then the wallet actions. On a phone the wallet deep links lead as big buttons and the
 * QR codes are hidden (CSS only, .large-screen-only); on a large screen the QR codes show.
 */
export function bundleClaimPage(input: BundlePageInput): PageOptions {
  const base = `/claim/${encodeURIComponent(input.token)}`;
  const offered = input.items.filter((i) => itemNote(i) === '');
  const count = offered.length;
  const what = count === 1 ? 'credential' : 'credentials';
  const list = html`<ul class="claim-items" id="claim-items">
    ${input.items.map((i) => html`<li data-state="${itemNote(i) === '' ? 'offered' : 'withheld'}">${i.record ? html`<strong>Program record:</strong> ` : ''}${i.title}${itemNote(i) ? html` <span class="note">(${itemNote(i)})</span>` : ''}</li>`)}
  </ul>`;
  const body: Html =
    count === 0
      ? html`<h1>Nothing left to collect</h1>
<section class="card" aria-labelledby="items"><h2 id="items">What this link covered</h2>${list}
<p>Every credential this link covers was collected, revoked or suspended. Ask ${input.issuerName} for a new link if you are missing one.</p></section>`
      : html`<h1>Your ${count} ${what} from ${input.issuerName}</h1>
<section class="card" aria-labelledby="wallet">
  <h2 id="wallet">Add them to your wallet</h2>
  <p>One tap puts all of them into your wallet app, issued to the identity your wallet chooses.</p>
  ${walletChoices(input, base, 'these credentials')}
</section>
<section class="card" aria-labelledby="items">
  <h2 id="items">What this link covers</h2>
  ${list}
</section>
<p class="note"><strong>This link works once.</strong> The first wallet that collects with it receives them all, so nobody else can. Unused, it expires on ${humanDate(input.expiresAt)}.</p>`;
  return {
    title: count === 0 ? 'Nothing left to collect' : `Claim your ${count} ${what}`,
    description: `Claim the credentials issued to you by ${input.issuerName}.`,
    body,
  };
}
