// The README's mastery records tour, run through the routes: lesson.json recorded on five dates
// by an observer token answers what the README shows, first lesson and fifth.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestInstance, postJson, type TestInstance } from '../helpers/app.js';

type Json = Record<string, any>;
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const lessonJson = /cat > lesson\.json <<'EOF'\n([\s\S]*?)\nEOF\n/.exec(README)?.[1];
const shownAfter = (marker: string): string => {
  const lines = README.split('\n');
  const at = lines.findIndex((l) => l.includes(marker));
  return (lines.slice(at + 1).find((l) => l.startsWith('# ')) ?? '').slice(2);
};

let t: TestInstance;
beforeAll(async () => {
  t = await createTestInstance();
});
afterAll(async () => t.close());

describe('README: mastery records tour', () => {
  it('answers the first lesson and the fifth as the README shows', async () => {
    expect(lessonJson).toBeDefined();
    const lesson = JSON.parse(lessonJson!) as Json;
    const educator = (await (await postJson(t.app, '/educators', { name: 'Ben Okafor', email: 'ben.okafor@example.edu', externalId: 'S-1002', cohort: '2026' })).json()) as Json;
    const token = ((await (await postJson(t.app, '/tokens', { name: 'field supervisor', scopes: ['observe'] })).json()) as Json).token as string;
    const record = async (date: string) => (await (await postJson(t.app, `/educators/${educator.id}/observations`, { ...lesson, date }, { Authorization: `Bearer ${token}` })).json()) as Json;
    const first = await record(lesson.date as string);
    expect(JSON.stringify({ awarded: first.awarded, next: first.progress[4] })).toBe(shownAfter("--data @lesson.json | jq -c '{awarded, next: .progress[4]}'"));
    let last: Json = {};
    for (const d of ['2026-03-09', '2026-03-16', '2026-03-23', '2026-03-30']) last = await record(d);
    const shown = shownAfter('for d in 2026-03-09').replace(/^the fifth lesson: /, '');
    expect(JSON.stringify((last.awarded as Json[]).map((a) => ({ achievement: a.achievement, level: a.level })))).toBe(shown);
  });
});
