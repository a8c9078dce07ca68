// Mastery rules and what is missing, in the sentences a program officer reads: the criteria of an
// imported competency, and the `missing` list of an educator's progress.
import { awardLevelsOf, type MasteryRule, type Setting } from './framework.js';

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

const settingPhrase = (setting: Setting): string => (setting === 'in-person' ? 'an in-person' : `a${setting === 'online' ? 'n' : ''} ${setting}`);

/** The whole rule as one sentence, e.g. for the criteria of a competency imported from CASE. */
export function describeRule(rule: MasteryRule): string {
  const parts = [
    `At least ${plural(rule.minObservations, 'observed lesson')} rated '${rule.minLevel}' or higher on the rubric` +
      ((rule.distinctDates ?? true) && rule.minObservations > 1 ? ', on different dates' : ''),
  ];
  if (rule.minObservers) parts.push(`by at least ${plural(rule.minObservers, 'different observer')}`);
  for (const [setting, n] of Object.entries(rule.minInSetting ?? {}) as [Setting, number][]) {
    parts.push(`${n === 1 ? `at least one in ${settingPhrase(setting)} session` : `at least ${n} in ${setting} sessions`}`);
  }
  let sentence = parts.join(', ');
  if (rule.minObservations === 0) sentence = 'An assessment';
  if (rule.assessment) sentence += `${rule.minObservations === 0 ? '' : ', and an assessment'} covering the competency scored ${rule.assessment.minPercent}% or more`;
  const levels = awardLevelsOf(rule);
  if (levels.length > 1) sentence += `. Each of the levels ${levels.map((l) => `'${l}'`).join(', ')} reached is its own badge`;
  return `${sentence}.`;
}

/** "3 more observations rated 'proficient' or higher on different dates (2 of 5)". */
export function missingObservations(missing: number, counted: number, required: number, level: string, distinctDates: boolean): string {
  return (
    `${plural(missing, 'more observation')} rated '${level}' or higher` + (distinctDates ? ' on different dates' : '') + ` (${counted} of ${required})`
  );
}

/** "1 more observation in an online session rated 'proficient' or higher". */
export function missingInSetting(missing: number, setting: Setting, level: string): string {
  return `${plural(missing, 'more observation')} in ${missing === 1 ? `${settingPhrase(setting)} session` : `${setting} sessions`} rated '${level}' or higher`;
}

/** "observations by 1 more observer (1 of 2 so far)". */
export function missingObservers(missing: number, counted: number, required: number): string {
  return `observations by ${plural(missing, 'more observer')} (${counted} of ${required} so far)`;
}

/** "an assessment of this competency scored 80% or more (best so far: 72% on 'Unit 3 exam')". */
export function missingAssessment(minPercent: number, best: { percent: number; name: string } | undefined): string {
  const so = best ? `best so far: ${formatPercent(best.percent)} on '${best.name}'` : 'none recorded yet';
  return `an assessment of this competency scored ${minPercent}% or more (${so})`;
}

/** 83.333… → "83.3%"; 80 → "80%". */
export function formatPercent(percent: number): string {
  return `${Math.round(percent * 10) / 10}%`;
}
