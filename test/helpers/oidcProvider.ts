// A real OpenID provider for the console's sign-in tests: panva's oidc-provider on 127.0.0.1,
// with its development login and consent screens (any password; the login names the account).
// Each account's claims carry a role claim (`educred_role`), as an institution's provider would.
import { createServer, type Server } from 'node:http';
import Provider from 'oidc-provider';
import { freePort } from './ports.js';

export const OIDC_CLIENT_ID = 'educred-console';
export const OIDC_CLIENT_SECRET = 'test-console-client-secret-0123456789abcdef';
export const ROLE_CLAIM = 'educred_role';

export interface TestAccount {
  name: string;
  email: string;
  /** The role claim's value; absent: the provider says nothing about a role. */
  role?: string | undefined;
}

export interface TestOidcProvider {
  issuer: string;
  /** The environment an educred instance needs to sign in through this provider. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startOidcProvider(options: { redirectUri: string; accounts: Record<string, TestAccount>; port?: number }): Promise<TestOidcProvider> {
  const port = options.port ?? (await freePort());
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: OIDC_CLIENT_ID,
        client_secret: OIDC_CLIENT_SECRET,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    claims: { openid: ['sub', ROLE_CLAIM], profile: ['name'], email: ['email', 'email_verified'] },
    cookies: { keys: ['test-oidc-provider-cookie-key-0123456789'] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx: unknown, id: string) {
      const account = options.accounts[id];
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: id, name: account.name, email: account.email, email_verified: true, ...(account.role ? { [ROLE_CLAIM]: account.role } : {}) };
        },
      };
    },
  });
  // The development screens warn on stderr that they are for development: this is one.
  const server: Server = createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    issuer,
    env: { EDUCRED_OIDC_ISSUER: issuer, EDUCRED_OIDC_CLIENT_ID: OIDC_CLIENT_ID, EDUCRED_OIDC_CLIENT_SECRET: OIDC_CLIENT_SECRET, EDUCRED_OIDC_ROLE_CLAIM: ROLE_CLAIM },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
