// Earning the seven built-in badges by observation through issue 14's API: five observed lessons
// on distinct dates, one of them online, each rating all seven competencies at `proficient`.
import { expect } from 'vitest';
import { BUILT_IN_FRAMEWORK } from '../../src/competencies/framework.js';
import { postJson, type TestInstance } from '../helpers/app.js';

export type Json = Record<string, any>;
export const SEVEN = BUILT_IN_FRAMEWORK.competencies.map((c) => c.code);

export async function post(instance: Pick<TestInstance, 'app'>, route: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Json }> {
  const res = await postJson(instance.app, route, body, headers);
  return { status: res.status, body: (await res.json()) as Json };
}

export async function addEducator(instance: Pick<TestInstance, 'app'>, educator: Json): Promise<string> {
  const res = await post(instance, '/educators', educator);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

/** Records lessons `first` .. `first + lessons - 1` (one date each; lesson 0 is online); returns the answer of each. */
export async function observeSeven(instance: Pick<TestInstance, 'app'>, educatorId: string, lessons = 5, first = 0, achievements = SEVEN): Promise<Json[]> {
  const answers: Json[] = [];
  for (let i = first; i < first + lessons; i++) {
    const res = await post(instance, `/educators/${educatorId}/observations`, {
      date: `2026-03-0${i + 1}`,
      observer: i % 2 === 0 ? 'Dr. Maya Rivera' : 'Mr. Sam Okafor',
      ...(i === 0 ? { setting: 'online' } : { setting: 'in-person' }),
      ratings: achievements.map((achievement) => ({ achievement, level: 'proficient' })),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    answers.push(res.body);
  }
  return answers;
}
