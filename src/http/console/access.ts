// The access screen: people and roles (console_people), API tokens through the same repository
// calls as POST/GET/DELETE /tokens (the last admin token is never revoked), the audit log as
// GET /audit reads it, with filters. Admins only; every change audited under their name.
import { Hono, type Context } from 'hono';
import { isRole } from '../../console/roles.js';
import { actorOf } from '../../console/sessions.js';
import { accessPage, type AccessState } from '../../pages/console/access.js';
import { sendPage } from '../../pages/layout.js';
import { LastAdminTokenError, SCOPES, UnknownTokenError, type TokenRecord } from '../../store/tokens.js';
import type { AppDeps } from '../deps.js';
import { TokenRequestSchema } from '../tokens.js';
import { formText, problemText } from './forms.js';
import type { ConsoleEnv, ConsoleGuard } from './session.js';

const AUDIT_PAGE = 50;

export function consoleAccessRoutes(deps: AppDeps, guard: ConsoleGuard): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const now = (): Date => deps.now?.() ?? new Date();

  const show = async (c: Context<ConsoleEnv>, extra: Partial<AccessState> = {}, status: 200 | 400 | 409 = 200) => {
    const text = (name: string) => c.req.query(name)?.trim().slice(0, 2048) || undefined;
    const filters = { actor: text('actor'), action: text('action'), subject: text('subject') };
    const before = Number(c.req.query('before'));
    const audit = await deps.store.audit.list({ ...filters, beforeId: Number.isSafeInteger(before) && before > 0 ? before : undefined, limit: AUDIT_PAGE + 1 });
    const shown = audit.slice(0, AUDIT_PAGE);
    const last = shown[shown.length - 1];
    const olderHref = audit.length > AUDIT_PAGE && last ? `/console/access?${new URLSearchParams({ ...Object.fromEntries(Object.entries(filters).filter((e): e is [string, string] => e[1] !== undefined)), before: String(last.id) })}#audit` : undefined;
    const tokens: TokenRecord[] = (await deps.store.tokens.list({ limit: 1000 })).map(({ seq: _seq, ...t }) => t);
    const notice = { role: 'Role saved; the person signs in again to use it.', revoked: 'Token revoked.' }[c.req.query('notice') ?? ''];
    return sendPage(c, accessPage(c.get('viewer'), { people: await deps.store.console.people(), tokens, audit: shown, filters, olderHref, notice, ...extra }), status);
  };

  app.get('/console/access', guard.require('administer'), (c) => show(c));

  app.post('/console/access/people/:id/role', guard.require('administer'), async (c) => {
    const person = await deps.store.console.findPerson(c.req.param('id'));
    const role = formText(c.get('form'), 'role') ?? null;
    if (!person || person.subject.startsWith('token:')) return show(c, { error: 'No such person (a token’s role comes from its scopes).' }, 400);
    if (role !== null && !isRole(role)) return show(c, { error: 'Choose admin, registrar, observer, or the claim.' }, 400);
    await deps.store.transaction(async (tx) => {
      await tx.console.assignRole(person.id, role);
      await tx.console.endSessionsOf(person.id, now());
      await tx.audit.record({ actor: actorOf(c.get('session').person), action: 'console.role_assigned', subject: `person:${person.id}`, detail: { name: person.name, role, before: person.assignedRole } });
    });
    return c.redirect('/console/access?notice=role#people', 303);
  });

  app.post('/console/access/tokens', guard.require('administer'), async (c) => {
    const form = c.get('form');
    const parsed = TokenRequestSchema.safeParse({ name: formText(form, 'name') ?? '', scopes: SCOPES.filter((s) => form[`scope:${s}`] !== undefined) });
    if (!parsed.success) return show(c, { error: problemText(parsed.error) }, 400);
    const actor = actorOf(c.get('session').person);
    const { token, record } = await deps.store.transaction(async (tx) => {
      const created = await tx.tokens.create(parsed.data.name, parsed.data.scopes);
      await tx.audit.record({ actor, action: 'token.created', subject: `token:${created.record.id}`, detail: { name: created.record.name, scopes: parsed.data.scopes } });
      return created;
    });
    // The one answer that shows the secret: never cached (the guard already says no-store).
    return show(c, { created: { name: record.name, token } });
  });

  app.post('/console/access/tokens/:id/revoke', guard.require('administer'), async (c) => {
    try {
      await deps.store.tokens.revoke(c.req.param('id'), actorOf(c.get('session').person));
    } catch (error) {
      if (error instanceof UnknownTokenError || error instanceof LastAdminTokenError) return show(c, { error: error.message }, 409);
      throw error;
    }
    return c.redirect('/console/access?notice=revoked#tokens', 303);
  });

  return app;
}
