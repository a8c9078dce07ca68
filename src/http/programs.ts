// Programs and their records (issue 15's interface contract): GET /programs (public: what each
// program requires), POST /programs (admin), POST /educators/:id/records (issue) issues the
// educator's CLR 2.0 record or answers the current one, GET /records/:id (public, like
// /credentials/:id: the JSON, or the page for a browser) and GET /records/:id/record.svg.
import { Hono } from 'hono';
import { z } from 'zod';
import { bakeSvg } from '../badges/baking.js';
import { bakePng, svgToPng } from '../badges/pngBaking.js';
import { escapeXml } from '../badges/badgeImage.js';
import { claimLinkFields, ensureClaimLink } from '../claims/claimLink.js';
import { awardLiveStatus } from '../claims/claimStatus.js';
import { syncStoredFrameworks } from '../competencies/frameworkSetup.js';
import { recordUrl } from '../programs/clrCredential.js';
import { issueRecord, listPrograms, recordCurrency, RecordNotCurrentError, RecordNotReadyError, type RecordDeps } from '../programs/issueRecord.js';
import { ProgramExistsError, ProgramInvalidError, ProgramNotFoundError, programFromRequest, ProgramRequestSchema, programView } from '../programs/program.js';
import { recordPage } from '../pages/recordPage.js';
import { pagePrivacyFor } from '../programs/pagePrivacy.js';
import { messagePage, sendPage } from '../pages/layout.js';
import type { AwardRecord } from '../store/awards.js';
import { isUniqueConflict } from '../store/errors.js';
import { requireScope, type AuthVariables } from './auth.js';
import { prefersHtml } from './badgePage.js';
import { readValidated } from './body.js';
import type { AppDeps } from './deps.js';
import { catalogOf } from './educators.js';
import { masteryProblem } from './masteryProblems.js';
import { HttpProblem, notFound, unprocessable } from './problem.js';

export const RecordRequestSchema = z.strictObject({ program: z.string().min(1).max(100) });

/** The domain errors of programs and records as problem+json. */
export function programProblem(error: unknown): never {
  if (error instanceof RecordNotReadyError) {
    throw unprocessable('record-not-ready', 'Program not yet complete', error.message, { program: error.programCode, missing: error.missing });
  }
  if (error instanceof RecordNotCurrentError) {
    throw new HttpProblem(409, 'record-not-current', 'The record is not current', error.message, { recordId: error.recordId, reasons: error.reasons });
  }
  if (error instanceof ProgramNotFoundError) {
    throw unprocessable('unknown-program', 'Unknown program', error.message, { errors: [{ pointer: '/program', detail: error.message }], knownPrograms: error.known });
  }
  if (error instanceof ProgramExistsError || isUniqueConflict(error, 'program-code')) {
    throw new HttpProblem(409, 'program-exists', 'Program code already used', error instanceof Error ? error.message : 'A program with this code already exists');
  }
  if (error instanceof ProgramInvalidError) {
    const pointer = '/' + error.field.replace(/\[(\d+)\]/g, '/$1').replace(/\./g, '/');
    throw unprocessable('program-invalid', 'Invalid program', error.message, { errors: [{ pointer, detail: error.message }] });
  }
  return masteryProblem(error);
}

export function recordDepsOf(deps: AppDeps): RecordDeps {
  return { ...deps, catalog: catalogOf(deps) };
}

// An SVG may carry script; these headers keep a record opened directly from running any.
const SVG_HEADERS = { 'Content-Type': 'image/svg+xml; charset=utf-8', 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'" };

/** A plain certificate image for the record, into which the record is baked (OB 3.0 §5.3 SVG baking, as for badges). */
function recordImage(record: AwardRecord): string {
  const title = escapeXml(String(record.credential.name ?? 'Program record'));
  const who = escapeXml(record.recipientName ?? '');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="320" viewBox="0 0 480 320" role="img" aria-label="${title}"><rect x="8" y="8" width="464" height="304" rx="16" fill="#f6f3ea" stroke="#1f4e79" stroke-width="6"/><text x="240" y="120" text-anchor="middle" font-family="sans-serif" font-size="20" fill="#1f4e79">Program record</text><text x="240" y="170" text-anchor="middle" font-family="sans-serif" font-size="14" fill="#222">${title}</text><text x="240" y="220" text-anchor="middle" font-family="sans-serif" font-size="16" fill="#222">${who}</text></svg>`;
}

export function programRoutes(deps: AppDeps): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();
  const recordDeps = recordDepsOf(deps);
  const findRecordAward = async (id: string): Promise<AwardRecord | undefined> => {
    const award = await deps.store.awards.findByCredentialId(recordUrl(deps.baseUrl, id));
    return award && (await deps.store.programs.findRecord(award.id)) ? award : undefined;
  };

  app.get('/programs', async (c) => c.json({ items: (await listPrograms(deps.store)).map(programView) }));

  app.post('/programs', requireScope(deps.store, 'admin'), async (c) => {
    const request = await readValidated(c, ProgramRequestSchema);
    await syncStoredFrameworks(deps.store, recordDeps.catalog);
    try {
      const program = programFromRequest(request, recordDeps.catalog, deps.now?.() ?? new Date());
      await deps.store.transaction(async (tx) => {
        await tx.programs.insertProgram(program);
        await tx.audit.record({ actor: `token:${c.get('token').name}`, action: 'program.created', subject: `program:${program.code}`, detail: { requires: program.requires, autoIssue: program.autoIssue } });
      });
      return c.json(programView(program), 201, { Location: `/programs/${program.code}` });
    } catch (error) {
      programProblem(error);
    }
  });

  app.post('/educators/:id/records', requireScope(deps.store, 'issue'), async (c) => {
    const { program } = await readValidated(c, RecordRequestSchema);
    await syncStoredFrameworks(deps.store, recordDeps.catalog);
    const outcome = await issueRecord(recordDeps, c.req.param('id'), program, `token:${c.get('token').name}`).catch(programProblem);
    const claim = claimLinkFields(await ensureClaimLink(deps, outcome.record.id));
    const body = { id: outcome.record.id, credential: outcome.record.credential, ...claim };
    return c.json(body, outcome.created ? 201 : 200, { Location: `/records/${outcome.record.id}` });
  });

  app.get('/records/:id', async (c) => {
    c.header('Vary', 'Accept');
    const award = await findRecordAward(c.req.param('id'));
    if (prefersHtml(c.req.header('accept'))) {
      if (!award) return messagePage(c, 404, 'No record at this address', ['Check the link; record addresses are long and easy to cut short.']);
      const row = await deps.store.programs.findRecord(award.id);
      let status = await awardLiveStatus(deps.store, award);
      const stale = row && status.state === 'valid' ? await recordCurrency(deps.store, row) : [];
      if (stale.length > 0) status = { state: 'unknown', detail: `Not current: ${stale.join('; ')}.` };
      return sendPage(c, recordPage(award.credential, status, await pagePrivacyFor(deps.store, award)));
    }
    if (!award) throw notFound(`No record '${c.req.param('id')}'`);
    return c.json(award.credential, 200, { 'Content-Type': 'application/vc+ld+json; charset=utf-8' });
  });

  app.get('/records/:id/record.svg', async (c) => {
    const award = await findRecordAward(c.req.param('id'));
    if (!award) throw notFound(`No record '${c.req.param('id')}'`);
    return c.body(bakeSvg(recordImage(award), award.credential), 200, { ...SVG_HEADERS, 'Content-Disposition': 'inline; filename="program-record.svg"', 'Cache-Control': 'no-store' });
  });

  // The same certificate as a PNG with the record baked in (OB 3.0 §5.3.1 iTXt `openbadgecredential`, as badge.png).
  app.get('/records/:id/record.png', async (c) => {
    const award = await findRecordAward(c.req.param('id'));
    if (!award) throw notFound(`No record '${c.req.param('id')}'`);
    return c.body(new Uint8Array(bakePng(svgToPng(recordImage(award)), award.credential)), 200, { 'Content-Type': 'image/png', 'Content-Disposition': 'inline; filename="program-record.png"', 'Cache-Control': 'no-store' });
  });

  return app;
}
