// The console's sign-in page: the institution's identity provider when one is configured, and
// an API token (the admin token of the machine it runs on, by default) otherwise, or besides.
import { html } from 'hono/html';
import type { PageOptions } from '../layout.js';
import { consolePage, flash } from './shell.js';

export interface SignInState {
  csrf: string;
  /** The identity provider's host, when OpenID Connect is configured. */
  provider?: string | undefined;
  next?: string | undefined;
  error?: string | undefined;
  notice?: string | undefined;
}

export function signInPage(state: SignInState): PageOptions {
  const tokenForm = html`<form method="post" action="/console/sign-in" class="card">
  <input type="hidden" name="csrf" value="${state.csrf}">
  ${state.next ? html`<input type="hidden" name="next" value="${state.next}">` : ''}
  <label for="token">API token</label>
  <input type="password" id="token" name="token" autocomplete="current-password" required spellcheck="false" aria-describedby="token-help">
  <p class="note" id="token-help">The admin token printed when the service first started (or EDUCRED_ADMIN_TOKEN), or a token an admin created for you. Its scopes decide your role.</p>
  <div class="actions"><button type="submit">Sign in</button></div>
</form>`;
  return consolePage(undefined, {
    title: 'Sign in',
    screen: 'sign-in',
    body: html`<h1>Sign in to the console</h1>
${flash('error', state.error)}${flash('notice', state.notice)}
${
  state.provider
    ? html`<div class="card"><p>Sign in with your institution's account.</p><p><a class="button" href="/console/sign-in/oidc${state.next ? `?next=${encodeURIComponent(state.next)}` : ''}">Sign in with ${state.provider}</a></p></div>
<details><summary>Sign in with an API token instead</summary>${tokenForm}</details>`
    : tokenForm
}`,
  });
}
