// GET /awards: the awards a program issued, filtered by recipient (DID or email), achievement
// and status, newest first, a page at a time (src/http/pagination.ts). Never the claim token,
// never the credential body: each item links to its award and its public credential.
import { Hono } from 'hono';
import { AWARD_STATUSES, InvalidRecipientFilterError, listAwards, type AwardListStatus } from '../awards/listAwards.js';
import { requireScope, type AuthVariables } from './auth.js';
import type { AppDeps } from './deps.js';
import { encodeCursor, invalidParam, pageLimit, queryText, readCursor, toPage } from './pagination.js';

export function awardListRoutes(deps: AppDeps): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.get('/awards', requireScope(deps.store, 'issue'), async (c) => {
    const filters = { recipient: queryText(c, 'recipient', 2048), achievement: queryText(c, 'achievement', 200), status: queryText(c, 'status', 20) };
    if (filters.status !== undefined && !(AWARD_STATUSES as readonly string[]).includes(filters.status)) {
      throw invalidParam('status', `unknown status '${filters.status}': the statuses are ${AWARD_STATUSES.join(', ')}`);
    }
    const limit = pageLimit(c);
    const beforeSeq = readCursor(c, 'awards', filters);
    let rows;
    try {
      rows = await listAwards(deps.store, deps.baseUrl, { ...filters, status: filters.status as AwardListStatus | undefined }, { beforeSeq, limit: limit + 1 });
    } catch (error) {
      if (error instanceof InvalidRecipientFilterError) throw invalidParam('recipient', error.message);
      throw error;
    }
    return c.json(
      toPage(
        rows,
        limit,
        (r) => r.seq,
        ({ seq: _seq, ...item }) => item,
        (p) => encodeCursor('awards', filters, p),
      ),
    );
  });

  return app;
}
