// Signing in to the console through app.request() (an API token, the embedded default) and the
// cookies and CSRF token a browser would keep, for the console's tests.
import { ADMIN_TOKEN, type TestInstance } from './app.js';

export function cookiesOf(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const [name, ...value] = (pair ?? '').split('=');
    if (name) out[name.trim()] = value.join('=');
  }
  return out;
}

export const cookieHeader = (jar: Record<string, string>): string => Object.entries(jar).filter(([, v]) => v !== '').map(([k, v]) => `${k}=${v}`).join('; ');
export const csrfIn = (page: string): string => /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';

export async function signInWithToken(t: TestInstance, token = ADMIN_TOKEN): Promise<{ jar: Record<string, string>; res: Response }> {
  const form = await t.app.request('/console/sign-in');
  const jar = cookiesOf(form);
  const res = await t.app.request('/console/sign-in', {
    method: 'POST',
    headers: { Origin: 'http://localhost:3000', Cookie: cookieHeader(jar), 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: csrfIn(await form.text()), token }).toString(),
  });
  return { jar: { ...jar, ...cookiesOf(res) }, res };
}
