// Content negotiation for achievement and framework URLs: a browser gets a readable page, any
// other client the JSON at the same URL (with Vary: Accept for caches).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestInstance, type TestInstance } from '../helpers/app.js';

let t: TestInstance;
beforeAll(async () => {
  t = await createTestInstance();
});
afterAll(async () => t.close());

describe('achievement and framework URLs', () => {
  it('answers a browser with a page and anything else with JSON', async () => {
    const list = (await (await t.app.request('/achievements')).json()) as Array<Record<string, any>>;
    const first = list[0]!;
    const path = new URL(first.id).pathname;
    const page = await t.app.request(path, { headers: { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('vary')).toMatch(/Accept/);
    const htmlText = await page.text();
    expect(htmlText).toContain(`<h1>${first.name.replace(/&/g, '&amp;')}</h1>`);
    expect(htmlText).toContain('How it is earned');
    const json = await t.app.request(path, { headers: { Accept: 'application/json' } });
    expect(((await json.json()) as Record<string, any>).id).toBe(first.id);
    expect(((await (await t.app.request(path)).json()) as Record<string, any>).id).toBe(first.id);

    const frameworks = (await (await t.app.request('/frameworks')).json()) as Array<Record<string, any>>;
    const fpath = `/frameworks/${frameworks[0]!.code}`;
    const fpage = await t.app.request(fpath, { headers: { Accept: 'text/html' } });
    expect(fpage.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await fpage.text()).toContain('Competencies');
    expect(((await (await t.app.request(fpath)).json()) as Record<string, any>).name).toBe(frameworks[0]!.name);
  });
});
