// The console's access screen (admins): people and their roles, API tokens (create, list,
// revoke; a new token's secret shown once), and the audit log with filters.
import { html } from 'hono/html';
import { ROLES } from '../../console/roles.js';
import type { AuditRow } from '../../store/audit.js';
import type { ConsolePerson } from '../../store/console.js';
import { SCOPES, type TokenRecord } from '../../store/tokens.js';
import type { PageOptions } from '../layout.js';
import { consolePage, csrfField, flash, type Viewer } from './shell.js';

export interface AccessState {
  people: ConsolePerson[];
  tokens: TokenRecord[];
  audit: AuditRow[];
  filters: { actor?: string | undefined; action?: string | undefined; subject?: string | undefined };
  olderHref?: string | undefined;
  /** A token just created: its secret, shown this once. */
  created?: { name: string; token: string } | undefined;
  notice?: string | undefined;
  error?: string | undefined;
}

const how = (p: ConsolePerson): string => (p.subject.startsWith('token:') ? 'API token' : 'identity provider');

export function accessPage(viewer: Viewer, s: AccessState): PageOptions {
  const body = html`<h1>Access</h1>
${flash('notice', s.notice)}${flash('error', s.error)}
${s.created ? html`<div class="card" role="status"><p><strong>Token '${s.created.name}' created.</strong> Copy it now: it is not shown again.</p><label for="new-token">Token</label><div class="copy"><input type="text" id="new-token" readonly value="${s.created.token}"><button type="button" class="secondary small" data-copy="new-token" hidden>Copy</button></div></div>` : ''}
<h2 id="people">People and roles</h2>
<p class="note">A person's role comes from the identity provider's role claim, unless an admin assigns one here (that wins). Changing a role signs the person out.</p>
<div class="table-wrap" tabindex="0" role="region" aria-label="People"><table><thead><tr><th scope="col">Person</th><th scope="col">Signs in with</th><th scope="col">Role</th></tr></thead><tbody>${s.people.map(
    (p) => html`<tr><td>${p.name}${p.email ? html`<br><span class="note">${p.email}</span>` : ''}</td><td>${how(p)}${p.claimedRole ? html`<br><span class="note">claim: ${p.claimedRole}</span>` : ''}</td><td>${
      p.subject.startsWith('token:')
        ? html`${p.claimedRole ?? '—'} <span class="note">(its scopes)</span>`
        : html`<form method="post" action="/console/access/people/${p.id}/role" class="actions">${csrfField(viewer)}<label class="sr-only" for="role-${p.id}">Role of ${p.name}</label><select id="role-${p.id}" name="role"><option value="">from the claim${p.claimedRole ? ` (${p.claimedRole})` : ' (none)'}</option>${ROLES.map(
            (r) => html`<option${p.assignedRole === r ? ' selected' : ''}>${r}</option>`,
          )}</select><button type="submit" class="secondary small">Set</button></form>`
    }</td></tr>`,
  )}</tbody></table></div>
<h2 id="tokens">API tokens</h2>
<div class="table-wrap" tabindex="0" role="region" aria-label="API tokens"><table><thead><tr><th scope="col">Name</th><th scope="col">Scopes</th><th scope="col">Created</th><th scope="col"><span class="sr-only">Action</span></th></tr></thead><tbody>${s.tokens.map(
    (t) => html`<tr><td>${t.name}</td><td>${t.scopes.join(' ')}</td><td>${t.createdAt.slice(0, 10)}</td><td>${
      t.revokedAt
        ? html`revoked ${t.revokedAt.slice(0, 10)}`
        : html`<form method="post" action="/console/access/tokens/${t.id}/revoke">${csrfField(viewer)}<button type="submit" class="secondary small" aria-label="Revoke the token ${t.name}">Revoke</button></form>`
    }</td></tr>`,
  )}</tbody></table></div>
<details class="card"><summary>Create a token</summary>
<form method="post" action="/console/access/tokens">${csrfField(viewer)}
<label for="token-name">Name (who or what uses it)</label><input type="text" id="token-name" name="name" required maxlength="100">
<fieldset><legend>Scopes</legend><div class="levels">${SCOPES.map((sc) => html`<label><input type="checkbox" name="scope:${sc}" value="1"> ${sc}</label>`)}</div></fieldset>
<div class="actions"><button type="submit">Create token</button></div></form></details>
<h2 id="audit">Audit log</h2>
<form method="get" action="/console/access" class="card" role="search">
<div class="row"><div><label for="f-actor">Who (exact)</label><input type="text" id="f-actor" name="actor" value="${s.filters.actor ?? ''}"></div>
<div><label for="f-action">Action (e.g. award, award.revoked)</label><input type="text" id="f-action" name="action" value="${s.filters.action ?? ''}"></div>
<div><label for="f-subject">Subject (exact)</label><input type="text" id="f-subject" name="subject" value="${s.filters.subject ?? ''}"></div></div>
<div class="actions"><button type="submit">Filter</button><a href="/console/access#audit">Clear</a></div></form>
<div class="table-wrap" tabindex="0" role="region" aria-label="Audit log"><table><thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Subject and detail</th></tr></thead><tbody>${s.audit.map(
    (a) => html`<tr><td>${a.at.slice(0, 19).replace('T', ' ')}</td><td>${a.actor}</td><td>${a.action}</td><td><code>${a.subject ?? ''}</code>${a.detail ? html`<br><span class="note">${JSON.stringify(a.detail)}</span>` : ''}</td></tr>`,
  )}</tbody></table></div>
${s.olderHref ? html`<p><a href="${s.olderHref}">Older entries</a></p>` : ''}`;
  return consolePage(viewer, { title: 'Access', screen: 'access', body });
}
