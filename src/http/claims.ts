// Claim links over HTTP: the claim page (GET /claim/:token), its QR codes, the JSON download
// (POST /claim/:token/download), the VC-API exchange wallets run (POST /exchanges/:token), and
// a new link for an existing award (POST /awards/:id/claim-links, token with the issue scope).
import { countClaimDelivery } from '../metrics.js';
import { Hono, type Context } from 'hono';
import { claimByDownload, claimWithWallet, exchangeDomain, openClaim, openDeliverableClaim } from '../claims/claimAward.js';
import { claimPageUrl, replaceClaimLink, walletLinks } from '../claims/claimLink.js';
import { AwardNotClaimableError, ClaimGoneError, ClaimNotFoundError, DidAuthenticationError, RecipientMismatchError } from '../claims/errors.js';
import { deliveryPresentation, didAuthenticationRequest, parseExchangeMessage } from '../claims/exchange.js';
import { qrPng, qrSvg } from '../claims/qrCode.js';
import { credentialOfferDeepLink, offerForPage } from '../oid4vci/issuance.js';
import { claimGoneLines, claimPage } from '../pages/claimPage.js';
import { messagePage, sendPage } from '../pages/layout.js';
import { requireScope, type AuthVariables } from './auth.js';
import { parseJsonBody } from './body.js';
import { badRequest, HttpProblem, notFound } from './problem.js';
import type { AppDeps } from './deps.js';

const NOT_CLAIMABLE_TITLE = { claimed: 'Badge already collected', revoked: 'Badge revoked', suspended: 'Badge suspended', 'status-unknown': 'Badge status unknown' } as const;

/** 409: the badge is not handed out; `awardStatus` names why (revoked, suspended, status-unknown, claimed). */
const notClaimable = (reason: keyof typeof NOT_CLAIMABLE_TITLE, detail: string): HttpProblem =>
  new HttpProblem(409, `award-${reason}`, NOT_CLAIMABLE_TITLE[reason], detail, { awardStatus: reason });

function toProblem(error: unknown): never {
  if (error instanceof AwardNotClaimableError) throw notClaimable(error.reason, error.message);
  if (error instanceof ClaimNotFoundError) throw notFound('No claim link with this token');
  if (error instanceof ClaimGoneError) throw new HttpProblem(410, `claim-${error.reason}`, 'Claim link no longer usable', error.message);
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

  app.get('/claim/:token', async (c) => {
    const token = c.req.param('token');
    try {
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
      await openClaim(deps, token);
    } catch (error) {
      toProblem(error);
    }
    const svg = await qrSvg(claimPageUrl(deps.baseUrl, token), 'QR code of the badge claim link');
    return c.body(svg, 200, { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'no-store' });
  });

  app.get('/claim/:token/qr.png', async (c) => {
    const token = c.req.param('token');
    try {
      await openClaim(deps, token);
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
      challenge = (await openDeliverableClaim(deps, token)).link.challenge;
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
      await openDeliverableClaim(deps, token);
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
