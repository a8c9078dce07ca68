// The agency's decision records (token scope verify): GET /decisions lists them in the order
// they were made (`?rule=` narrows), GET /decisions/:id answers one: the decision with its
// reasons, what was asked and what was presented, and the full report; a browser asking for
// HTML gets the one-page printable summary instead.
import { Hono } from 'hono';
import { sendPage } from '../pages/layout.js';
import { decisionSummary } from '../pages/presentationRequestPage.js';
import { decisionView } from '../presentations/answer.js';
import type { DecisionRecord } from '../store/decisions.js';
import { requireScope, type AuthVariables } from './auth.js';
import { prefersHtml } from './badgePage.js';
import type { VerifierDeps } from './deps.js';
import { encodeCursor, pageLimit, queryText, readCursor, toPage } from './pagination.js';
import { notFound } from './problem.js';

const fullRecord = (record: DecisionRecord) => ({ ...decisionView(record), requestId: record.requestId, asked: record.asked, presented: record.presented, report: record.report });

export function decisionRoutes(deps: VerifierDeps): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();
  const verifiers = requireScope(deps.store, 'verify');

  app.get('/decisions', verifiers, async (c) => {
    const filters = { rule: queryText(c, 'rule', 100) };
    const limit = pageLimit(c);
    const afterSeq = readCursor(c, 'decisions', filters);
    const rows = await deps.store.decisions.list({ afterSeq, limit: limit + 1, rule: filters.rule });
    return c.json(toPage(rows, limit, (r) => r.seq, ({ seq: _seq, ...record }) => ({ ...decisionView(record), requestId: record.requestId }), (p) => encodeCursor('decisions', filters, p)));
  });

  app.get('/decisions/:id', verifiers, async (c) => {
    const record = await deps.store.decisions.find(c.req.param('id'));
    if (!record) throw notFound(`No decision '${c.req.param('id')}'`);
    if (prefersHtml(c.req.header('accept'))) {
      const rule = deps.verifier.rules().find((r) => r.id === record.rule);
      return sendPage(c, { title: `Decision: ${rule?.name ?? record.rule}`, body: decisionSummary(record, rule) });
    }
    return c.json(fullRecord(record));
  });

  return app;
}
