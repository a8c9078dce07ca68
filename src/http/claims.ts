// Claim links over HTTP: the claim page (GET /claim/:token), its QR codes, the JSON download
// (POST /claim/:token/download) and the VC-API exchange wallets run (POST /exchanges/:token).
import { Hono, type Context } from 'hono';
import { claimByDownload, claimWithWallet, exchangeDomain, openClaim } from '../claims/claimAward.js';
import { claimPageUrl, walletLinks } from '../claims/claimLink.js';
import { ClaimGoneError, ClaimNotFoundError, DidAuthenticationError, RecipientMismatchError } from '../claims/errors.js';
import { deliveryPresentation, didAuthenticationRequest, parseExchangeMessage } from '../claims/exchange.js';
import { qrPng, qrSvg } from '../claims/qrCode.js';
import { claimGoneLines, claimPage } from '../pages/claimPage.js';
import { messagePage, sendPage } from '../pages/layout.js';
import { badRequest, HttpProblem, notFound } from './problem.js';
import type { AppDeps } from './deps.js';

function toProblem(error: unknown): never {
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
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badRequest(`The request body is not valid JSON: ${(error as Error).message}`);
  }
}

const fileName = (code: string): string => `${code.replace(/[^a-z0-9-]/gi, '') || 'badge'}-badge.json`;

export function claimRoutes(deps: AppDeps): Hono {
  const app = new Hono();

  app.get('/claim/:token', async (c) => {
    const token = c.req.param('token');
    try {
      const { link, award } = openClaim(deps, token);
      return sendPage(c, claimPage({ token, credential: award.credential, wallet: walletLinks(deps.baseUrl, token, link.challenge), expiresAt: link.expiresAt }));
    } catch (error) {
      if (error instanceof ClaimNotFoundError) {
        return messagePage(c, 404, 'No badge at this link', ['Check that you opened the whole link from your email; it is long and some mail programs break it across lines.']);
      }
      if (error instanceof ClaimGoneError) return messagePage(c, 410, 'This claim link can no longer be used', claimGoneLines(error));
      throw error;
    }
  });

  app.post('/claim/:token/download', (c) => {
    try {
      const { award, credential } = claimByDownload(deps, c.req.param('token'));
      return c.body(JSON.stringify(credential, null, 2), 200, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Disposition': `attachment; filename="${fileName(award.achievementCode)}"`,
        'Cache-Control': 'no-store',
      });
    } catch (error) {
      if (error instanceof ClaimGoneError) return messagePage(c, 410, 'This claim link can no longer be used', claimGoneLines(error));
      return toProblem(error);
    }
  });

  // The claim link itself as a QR code, for printing or for a program's own emails.
  app.get('/claim/:token/qr.svg', async (c) => {
    const token = c.req.param('token');
    try {
      openClaim(deps, token);
    } catch (error) {
      toProblem(error);
    }
    const svg = await qrSvg(claimPageUrl(deps.baseUrl, token), 'QR code of the badge claim link');
    return c.body(svg, 200, { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'no-store' });
  });

  app.get('/claim/:token/qr.png', async (c) => {
    const token = c.req.param('token');
    try {
      openClaim(deps, token);
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
      challenge = openClaim(deps, token).link.challenge;
    } catch (error) {
      return toProblem(error);
    }
    const svg = await qrSvg(walletLinks(deps.baseUrl, token, challenge).deepLink, 'QR code for your wallet app');
    return c.body(svg, 200, { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'no-store' });
  });

  app.post('/exchanges/:token', async (c) => {
    const token = c.req.param('token');
    const message = parseExchangeMessage(await readOptionalJson(c));
    if (message.kind === 'invalid') throw badRequest(message.reason);
    try {
      if (message.kind === 'start') {
        const { link } = openClaim(deps, token);
        return c.json(didAuthenticationRequest(deps.baseUrl, token, link.challenge, exchangeDomain(deps.baseUrl)));
      }
      const credential = await claimWithWallet(deps, token, message.presentation);
      // A wallet that skipped the request step (LCW's plain deep link) gets the credential itself.
      return c.json(message.wrapped ? deliveryPresentation(credential) : credential);
    } catch (error) {
      return toProblem(error);
    }
  });

  return app;
}

/** A claim token is a bearer secret: request logs keep the route, not the token. */
export function redactClaimTokens(path: string): string {
  return path.replace(/^\/(claim|exchanges)\/[^/]+/, '/$1/[token]');
}
