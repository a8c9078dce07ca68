// Claim links over HTTP: the claim page (GET /claim/:token), its QR codes, the JSON download
// (POST /claim/:token/download), the VC-API exchange wallets run (POST /exchanges/:token), and
// a new link for an existing award (POST /awards/:id/claim-links, token with the issue scope).
import { countClaimDelivery } from '../metrics.js';
import { Hono, type Context } from 'hono';
import { claimByDownload, claimWithWallet, exchangeDomain, openClaim, openDeliverableClaim } from '../claims/claimAward.js';
import { claimPageUrl, replaceClaimLink, walletLinks } from '../claims/claimLink.js';
import { claimBundleWithWallet, NothingToClaimError, openBundle, recipientClaimLink, credentialTitle } from '../claims/claimBundle.js';
import { NOT_CONFIGURED_MESSAGE } from '../mail/notify.js';
import { educatorRecipientKey } from '../programs/issueRecord.js';
import { notificationView } from './awards.js';
import { AwardNotClaimableError, ClaimGoneError, ClaimNotFoundError, DidAuthenticationError, RecipientMismatchError } from '../claims/errors.js';
import { deliveryPresentation, didAuthenticationRequest, parseExchangeMessage } from '../claims/exchange.js';
import { qrPng, qrSvg } from '../claims/qrCode.js';
import { credentialOfferDeepLink, offerForPage } from '../oid4vci/issuance.js';
import { bundleClaimPage, claimGoneLines, claimPage } from '../pages/claimPage.js';
import { messagePage, sendPage } from '../pages/layout.js';
import { requireScope, type AuthVariables } from './auth.js';
import { parseJsonBody } from './body.js';
import { badRequest, HttpProblem, notFound, unprocessable } from './problem.js';
import type { AppDeps } from './deps.js';

const NOT_CLAIMABLE_TITLE = { claimed: 'Badge already collected', revoked: 'Badge revoked', suspended: 'Badge suspended', 'status-unknown': 'Badge status unknown' } as const;

/** 409: the badge is not handed out; `awardStatus` names why (revoked, suspended, status-unknown, claimed). */
const notClaimable = (reason: keyof typeof NOT_CLAIMABLE_TITLE, detail: string): HttpProblem =>
  new HttpProblem(409, `award-${reason}`, NOT_CLAIMABLE_TITLE[reason], detail, { awardStatus: reason });

function toProblem(error: unknown): never {
  if (error instanceof AwardNotClaimableError) throw notClaimable(error.reason, error.message);
  if (error instanceof ClaimNotFoundError) throw notFound('No claim link with this token');
  if (error instanceof ClaimGoneError) throw new HttpProblem(410, `claim-${error.reason}`, 'Claim link no longer usable', error.message);
  if (error instanceof NothingToClaimError) throw new HttpProblem(409, 'nothing-to-claim', 'Nothing left to collect', error.message);
  if (error instanceof DidAuthenticationError) throw new HttpProblem(400, 'did-authentication-failed', 'DID authentication failed', error.message);
  if (error instanceof RecipientMismatchError) {
    throw new HttpProblem(403, 'recipient-mismatch', 'Badge awarded to another DID', error.message, { expected: error.expected });
  }
  throw error;
}

async function readOptionalJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return undefined;
  return parseJsonBody(text);
}

const fileName = (code: string): string => `${code.replace(/[^a-z0-9-]/gi, '') || 'badge'}-badge.json`;

export function claimRoutes(deps: AppDeps): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();

  /** Whether a token names a bundle (one claim for everything an educator holds) rather than one award's link. */
  const isBundle = async (token: string): Promise<boolean> => !(await deps.store.claimLinks.find(token)) && (await deps.store.claimLinks.findBundle(token)) !== undefined;
  /** The live claim behind a token (either kind), for the QR routes: its challenge; throws the claim errors. */
  const liveChallenge = async (token: string, deliverable: boolean): Promise<string> => {
    if (await isBundle(token)) return (await openBundle(deps, token)).bundle.challenge;
    return (deliverable ? await openDeliverableClaim(deps, token) : await openClaim(deps, token)).link.challenge;
  };

  app.post('/awards/:id/claim-links', requireScope(deps.store, 'issue'), async (c) => {
    const award = await deps.store.awards.find(c.req.param('id'));
    if (!award) throw notFound(`No award '${c.req.param('id')}'`);
    const claim = await replaceClaimLink(deps, award.id);
    if (!claim.link) {
      const reason = claim.unavailable;
      throw notClaimable(reason, reason === 'claimed' ? `Award '${award.id}' was already collected: no new claim link is needed` : `No claim link: award '${award.id}' is ${reason}`);
    }
    await deps.store.audit.record({ actor: `token:${c.get('token').name}`, action: 'award.claim_link_created', subject: award.id, detail: { expiresAt: claim.link.expiresAt } });
    // The link is a bearer secret shown to its owner: not for caches.
    return c.json({ claimUrl: claim.link.url, expiresAt: claim.link.expiresAt }, 201, { 'Cache-Control': 'no-store' });
  });

  // One claim for everything the educator holds (issue 16), for a program that sends it itself:
  // a new link (a bundle when several credentials, replacing the older bundle; the badge's own
  // link when one), shown to the token's holder as POST /awards/:id/claim-links shows one.
  app.post('/educators/:id/claim-links', requireScope(deps.store, 'issue'), async (c) => {
    const educator = await deps.store.educators.findEducator(c.req.param('id'));
    if (!educator) throw notFound(`No educator '${c.req.param('id')}'`);
    if (!educator.email && !educator.did) throw unprocessable('educator-has-no-recipient', 'No recipient', 'This educator has neither an email address nor a DID, so no badge can name them');
    const claim = await recipientClaimLink(deps, educatorRecipientKey(educator), { fresh: true });
    if (!('link' in claim)) throw new HttpProblem(409, 'nothing-to-claim', 'Nothing left to collect', 'Every badge and record of this educator was collected, revoked or suspended: no claim link is needed');
    await deps.store.audit.record({ actor: `token:${c.get('token').name}`, action: 'educator.claim_link_created', subject: `educator:${educator.id}`, detail: { awards: claim.awards.map((a) => a.id), bundle: claim.bundle, expiresAt: claim.link.expiresAt } });
    return c.json(
      { claimUrl: claim.link.url, expiresAt: claim.link.expiresAt, covers: claim.awards.map((a) => ({ awardId: a.id, title: credentialTitle(a.credential) })) },
      201,
      { 'Cache-Control': 'no-store' },
    );
  });

  // "Send again" (issue 16): a new claim link for everything the educator holds unclaimed (one
  // badge: that badge's new link; several: a new bundle replacing the older one), and the claim
  // email queued with it. The link itself goes only to the educator, never into this answer.
  app.post('/educators/:id/claim-email', requireScope(deps.store, 'issue'), async (c) => {
    const educator = await deps.store.educators.findEducator(c.req.param('id'));
    if (!educator) throw notFound(`No educator '${c.req.param('id')}'`);
    if (!deps.mail) throw unprocessable('mail-not-configured', 'Outgoing mail is not configured', NOT_CONFIGURED_MESSAGE);
    if (!educator.email || educator.did) {
      const detail = educator.did ? 'This educator is known by DID: their badges name that DID, and the claim email goes to an email recipient only' : 'This educator has no email address to send the claim link to';
      throw unprocessable('notify-needs-email', 'No email address to notify', detail, { errors: [{ pointer: '/email', detail }] });
    }
    const claim = await recipientClaimLink(deps, educatorRecipientKey(educator), { fresh: true });
    if (!('link' in claim)) throw new HttpProblem(409, 'nothing-to-claim', 'Nothing left to collect', 'Every badge and record of this educator was collected, revoked or suspended: there is no claim link to send');
    const first = claim.awards[0]!;
    await deps.store.mail.requeueClaimEmail(first.id);
    await deps.store.audit.record({
      actor: `token:${c.get('token').name}`,
      action: 'educator.claim_email_queued',
      subject: `educator:${educator.id}`,
      detail: { awards: claim.awards.map((a) => a.id), bundle: claim.bundle, expiresAt: claim.link.expiresAt },
    });
    deps.mail.wake();
    return c.json(
      {
        educatorId: educator.id,
        queued: true,
        expiresAt: claim.link.expiresAt,
        covers: claim.awards.map((a) => ({ awardId: a.id, title: credentialTitle(a.credential) })),
        notification: await notificationView(deps.store, first.id),
      },
      202,
      { 'Cache-Control': 'no-store' },
    );
  });

  app.get('/claim/:token', async (c) => {
    const token = c.req.param('token');
    try {
      if (await isBundle(token)) {
        const { bundle, items } = await openBundle(deps, token);
        const openid = offerForPage({ ...deps, oid4vciTxCode: deps.oid4vciTxCode }, token, bundle.tokenHash);
        return sendPage(c, bundleClaimPage({
          token,
          issuerName: deps.issuer.profile.name,
          items: items.map((i) => ({ title: i.title, record: i.record, status: i.status, claimed: i.claimed })),
          wallet: walletLinks(deps.baseUrl, token, bundle.challenge),
          openid,
          expiresAt: bundle.expiresAt,
        }));
      }
      const { link, award, status } = await openClaim(deps, token);
      const openid = offerForPage({ ...deps, oid4vciTxCode: deps.oid4vciTxCode }, token, link.tokenHash);
      return sendPage(c, claimPage({ token, credential: award.credential, wallet: walletLinks(deps.baseUrl, token, link.challenge), openid, expiresAt: link.expiresAt, status }));
    } catch (error) {
      if (error instanceof ClaimNotFoundError) {
        return messagePage(c, 404, 'No badge at this link', ['Check that you opened the whole link from your email; it is long and some mail programs break it across lines.']);
      }
      if (error instanceof ClaimGoneError) return messagePage(c, 410, 'This claim link can no longer be used', claimGoneLines(error));
      throw error;
    }
  });

  app.post('/claim/:token/download', async (c) => {
    if (await isBundle(c.req.param('token'))) {
      return messagePage(c, 409, 'Add these credentials to a wallet', ['This link covers several credentials and hands them to a wallet, bound to your wallet identity. To download one badge as a file, ask the program for that badge\'s own link.']);
    }
    try {
      const { award, credential } = await claimByDownload(deps, c.req.param('token'));
      countClaimDelivery('download');
      return c.body(JSON.stringify(credential, null, 2), 200, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Disposition': `attachment; filename="${fileName(award.achievementCode)}"`,
        'Cache-Control': 'no-store',
      });
    } catch (error) {
      if (error instanceof ClaimGoneError) return messagePage(c, 410, 'This claim link can no longer be used', claimGoneLines(error));
      if (error instanceof AwardNotClaimableError) return messagePage(c, 409, 'This badge cannot be collected', [error.message + '.']);
      return toProblem(error);
    }
  });

  // The claim link itself as a QR code, for printing or for a program's own emails.
  app.get('/claim/:token/qr.svg', async (c) => {
    const token = c.req.param('token');
    try {
      await liveChallenge(token, false);
    } catch (error) {
      toProblem(error);
    }
    const svg = await qrSvg(claimPageUrl(deps.baseUrl, token), 'QR code of the badge claim link');
    return c.body(svg, 200, { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'no-store' });
  });

  app.get('/claim/:token/qr.png', async (c) => {
    const token = c.req.param('token');
    try {
      await liveChallenge(token, false);
    } catch (error) {
      toProblem(error);
    }
    const png = await qrPng(claimPageUrl(deps.baseUrl, token));
    return c.body(new Uint8Array(png), 200, { 'Content-Type': 'image/png', 'Cache-Control': 'no-store' });
  });

  // The wallet deep link as a QR code: what the claim page shows for a wallet on another device.
  app.get('/claim/:token/wallet-qr.svg', async (c) => {
    const token = c.req.param('token');
    let challenge: string;
    try {
      challenge = await liveChallenge(token, true);
    } catch (error) {
      return toProblem(error);
    }
    const svg = await qrSvg(walletLinks(deps.baseUrl, token, challenge).deepLink, 'QR code for your wallet app');
    return c.body(svg, 200, { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'no-store' });
  });

  // The OID4VCI credential offer as a QR code (openid-credential-offer://), for a wallet on another device.
  app.get('/claim/:token/offer-qr.svg', async (c) => {
    const token = c.req.param('token');
    try {
      await liveChallenge(token, true);
    } catch (error) {
      return toProblem(error);
    }
    const svg = await qrSvg(credentialOfferDeepLink(deps.baseUrl, token), 'QR code for OpenID wallets');
    return c.body(svg, 200, { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'no-store' });
  });

  app.post('/exchanges/:token', async (c) => {
    const token = c.req.param('token');
    const message = parseExchangeMessage(await readOptionalJson(c));
    if (message.kind === 'invalid') throw badRequest(message.reason);
    try {
      if (await isBundle(token)) {
        const { bundle } = await openBundle(deps, token);
        if (message.kind === 'start') return c.json(didAuthenticationRequest(deps.baseUrl, token, bundle.challenge, exchangeDomain(deps.baseUrl)));
        const credentials = await claimBundleWithWallet(deps, token, message.presentation);
        countClaimDelivery('vc-api-exchange');
        // Several credentials: always the presentation that holds them all (VC-API exchanges).
        return c.json(deliveryPresentation(credentials));
      }
      if (message.kind === 'start') {
        const { link } = await openDeliverableClaim(deps, token);
        return c.json(didAuthenticationRequest(deps.baseUrl, token, link.challenge, exchangeDomain(deps.baseUrl)));
      }
      const credential = await claimWithWallet(deps, token, message.presentation);
      countClaimDelivery('vc-api-exchange');
      // A wallet that skipped the request step (LCW's plain deep link) gets the credential itself.
      return c.json(message.wrapped ? deliveryPresentation(credential) : credential);
    } catch (error) {
      return toProblem(error);
    }
  });

  return app;
}
