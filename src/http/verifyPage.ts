// GET /verify and POST /verify: the verify page. A pasted or uploaded document (JSON, or a
// baked SVG badge) goes through the same pipeline as POST /credentials/verify; anything that is
// not a credential or presentation comes back as the form with a message (400), never a 500;
// neither does a body over the size limit (413), which this route checks itself.
// `?url=` opens one of this service's own badges from the database; another issuer's badge URL
// or share link is fetched through the guarded fetcher (public addresses only, bounded).
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { BakingError, extractFromSvg, looksLikeSvg } from '../badges/baking.js';
import { extractFromPng, looksLikePng } from '../badges/pngBaking.js';
import { isCompactJwt } from '../credentials/jwtCredential.js';
import { sendPage } from '../pages/layout.js';
import { verifyFormPage, verifyResultPage, verifySetResultPage, type VerifyFormState } from '../pages/verifyPage.js';
import { openShareLink } from '../educatorPage/shareLinks.js';
import { VERIFICATION_LIMITS } from '../verify/limits.js';
import { FetchRefusedError } from '../net/guardedFetch.js';
import { UnknownRuleError } from '../verify/verifier.js';
import { prefersHtml } from './badgePage.js';
import { parseJsonBody } from './body.js';
import type { VerifierDeps } from './deps.js';
import { badRequest, HttpProblem, notFound } from './problem.js';

class UnreadableDocument extends Error {}

/** The document a form submission carries: a file wins over the textarea. */
async function submittedDocument(fields: Record<string, unknown>): Promise<unknown> {
  const file = fields.file;
  if (file instanceof File && file.size > 0) {
    const bytes = Buffer.from(await file.arrayBuffer());
    if (looksLikePng(bytes)) {
      let baked;
      try {
        baked = extractFromPng(bytes);
      } catch (error) {
        if (error instanceof BakingError) throw new UnreadableDocument(error.message);
        throw error;
      }
      if (!baked) throw new UnreadableDocument('This PNG image has no credential baked into it.');
      return baked.kind === 'json' ? baked.credential : baked.jwt;
    }
  }
  const fromFile = file instanceof File && file.size > 0 ? await file.text() : undefined;
  const text = (fromFile ?? (typeof fields.document === 'string' ? fields.document : '')).trim();
  if (text === '') throw new UnreadableDocument('Paste a credential or presentation, or choose a file.');
  if (looksLikeSvg(text)) {
    let baked;
    try {
      baked = extractFromSvg(text);
    } catch (error) {
      if (error instanceof BakingError) throw new UnreadableDocument(error.message);
      throw error;
    }
    if (!baked) throw new UnreadableDocument('This SVG image has no credential baked into it.');
    return baked.kind === 'json' ? baked.credential : baked.jwt;
  }
  // A JWT-secured badge, pasted as it is.
  if (isCompactJwt(text)) return text;
  try {
    return parseJsonBody(text);
  } catch (error) {
    throw new UnreadableDocument(error instanceof HttpProblem ? error.detail.replace('The request body', 'The document') : 'The document is not valid JSON.');
  }
}

/** 1048576 → "1 MB", 65536 → "64 KB": the limit as a person reads it. */
function readableSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Number((bytes / (1024 * 1024)).toFixed(1))} MB`;
  if (bytes >= 1024) return `${Math.floor(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

const field = (fields: Record<string, unknown>, name: string): string | undefined => {
  const value = fields[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
};

/**
 * The credentials of a presentation that has no proof at all (a share link's JSON, issue 16):
 * verified one by one rather than as a presentation, whose holder check would fail for want of
 * a holder. Undefined for anything else (a signed presentation, a credential, too many items).
 */
function unsignedSet(document: unknown): unknown[] | undefined {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return undefined;
  const d = document as Record<string, unknown>;
  const types = Array.isArray(d.type) ? d.type : [d.type];
  if (!types.includes('VerifiablePresentation') || d.proof !== undefined || !Array.isArray(d.verifiableCredential)) return undefined;
  const credentials = d.verifiableCredential as unknown[];
  if (credentials.length === 0 || credentials.length > VERIFICATION_LIMITS.credentialsPerPresentation) return undefined;
  return credentials.every((c) => typeof c === 'object' && c !== null && !Array.isArray(c)) ? credentials : undefined;
}

export function verifyPageRoutes(deps: VerifierDeps): Hono {
  const app = new Hono();
  const baseState = (): VerifyFormState => ({ rules: deps.verifier.rules(), policyName: deps.verifier.policyName() });

  /**
   * The form again, with what went wrong: as a page for browsers, as problem+json for any other
   * client (a script posting to the page's URL gets an error it can parse).
   */
  const showForm = (c: Context, state: VerifyFormState, status: 200 | 400 | 404 = 200) => {
    if (status !== 200 && !prefersHtml(c.req.header('accept'))) {
      throw status === 404 ? notFound(state.error ?? 'Not found') : badRequest(state.error ?? 'The form could not be read');
    }
    return sendPage(c, verifyFormPage(state), status);
  };

  // The app's body limit, answered like the other errors of this page (src/app.ts leaves
  // POST /verify to this one).
  const tooLarge = bodyLimit({
    maxSize: deps.bodyLimit,
    onError: (c) => {
      if (!prefersHtml(c.req.header('accept'))) {
        throw new HttpProblem(413, 'payload-too-large', 'Payload too large', `The request body exceeds the limit of ${deps.bodyLimit} bytes`);
      }
      const error = `This is larger than the page accepts (${readableSize(deps.bodyLimit)}). A badge is only a few kilobytes: check that you chose the right file.`;
      return sendPage(c, verifyFormPage({ ...baseState(), error }), 413);
    },
  });

  app.get('/verify', async (c) => {
    const url = c.req.query('url');
    if (url === undefined) return showForm(c, baseState());
    if (url.startsWith(`${deps.baseUrl}/credentials/`)) {
      const award = await deps.store.awards.findByCredentialId(url);
      if (!award) return showForm(c, { ...baseState(), error: 'No badge of this service has that address.' }, 404);
      return sendPage(c, verifyResultPage(await deps.verifier.verifyDocument(award.credential), baseState()));
    }
    // One of this service's share links: read here, as its own badges are (it may not be reachable through the guarded fetcher).
    if (url.startsWith(`${deps.baseUrl}/shared/`)) {
      const token = decodeURIComponent(url.slice(`${deps.baseUrl}/shared/`.length).split(/[?#]/)[0] ?? '');
      const opened = await openShareLink(deps.store, token, deps.now?.() ?? new Date());
      if (opened.state === 'unknown') return showForm(c, { ...baseState(), error: 'No share link of this service has that address.' }, 404);
      if (opened.state !== 'open') return showForm(c, { ...baseState(), error: `That share link was ${opened.state} on ${opened.at.slice(0, 10)}: it no longer opens.` }, 400);
      const reports = await Promise.all(opened.awards.map(async (a) => (await deps.verifier.verifyCredential(a.credential, { maxStatusAge: 0 }))));
      return sendPage(c, verifySetResultPage(reports, baseState(), 'a share link'));
    }
    if (!deps.fetchDocument || url.length > 2000) {
      return showForm(c, { ...baseState(), error: "Only this service's own badge links open here. For another badge, paste its JSON or choose its file." }, 400);
    }
    // Another issuer's badge URL or share link: fetched through the guarded fetcher (public
    // addresses only, bounded in time and size), then verified like a pasted document.
    let fetched: unknown;
    try {
      fetched = await deps.fetchDocument(url);
    } catch (error) {
      if (error instanceof FetchRefusedError) return showForm(c, { ...baseState(), error: `The badge could not be fetched: ${error.message}.` }, 400);
      throw error;
    }
    if (typeof fetched !== 'object' || fetched === null || Array.isArray(fetched)) return showForm(c, { ...baseState(), error: 'That address does not answer a credential (a JSON object).' }, 400);
    const set = unsignedSet(fetched);
    if (set) {
      const reports = await Promise.all(set.map((credential) => deps.verifier.verifyCredential(credential, { maxStatusAge: 0 })));
      return sendPage(c, verifySetResultPage(reports, baseState(), 'a share link'));
    }
    const shared = fetched as Record<string, unknown>;
    // A share link may wrap the credential (`{"verifiableCredential": …}`, as VC-API answers do).
    const document = typeof shared.verifiableCredential === 'object' && shared.verifiableCredential !== null ? shared.verifiableCredential : shared;
    return sendPage(c, verifyResultPage(await deps.verifier.verifyDocument(document, { maxStatusAge: 0 }), baseState()));
  });

  app.post('/verify', tooLarge, async (c) => {
    let fields: Record<string, unknown>;
    try {
      fields = (await c.req.parseBody()) as Record<string, unknown>;
    } catch {
      return showForm(c, { ...baseState(), error: 'The form could not be read; submit it from this page.' }, 400);
    }
    const state: VerifyFormState = {
      ...baseState(),
      document: typeof fields.document === 'string' ? fields.document : undefined,
      rule: field(fields, 'rule'),
      challenge: field(fields, 'challenge'),
      domain: field(fields, 'domain'),
    };
    let document: unknown;
    try {
      document = await submittedDocument(fields);
    } catch (error) {
      if (error instanceof UnreadableDocument) return showForm(c, { ...state, error: error.message }, 400);
      throw error;
    }
    // A pasted share link JSON (no holder's proof, no rule asked): each credential on its own.
    const set = state.rule === undefined && state.challenge === undefined ? unsignedSet(document) : undefined;
    if (set) {
      const reports = await Promise.all(set.map((credential) => deps.verifier.verifyCredential(credential)));
      return sendPage(c, verifySetResultPage(reports, state));
    }
    try {
      const verification = await deps.verifier.verifyDocument(document, { rule: state.rule, challenge: state.challenge, domain: state.domain });
      return sendPage(c, verifyResultPage(verification, state));
    } catch (error) {
      if (error instanceof UnknownRuleError) return showForm(c, { ...state, error: error.message }, 400);
      throw error;
    }
  });

  return app;
}
