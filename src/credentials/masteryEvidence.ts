// The OB 3.0 `evidence` of a badge counted from recorded observations and assessments: one
// `Evidence` entry for each counted observation (with the rating that counted) and each counted
// assessment. An observation or assessment shared with a team (New Hampshire's practice: one
// lesson or task counts for each educator of the team) is named as shared with the team. The
// team's members are not named: a badge is shown to anyone its holder chooses, and the other
// educators did not choose.
import type { CountedObservation, RecordedAssessment } from '../competencies/progress.js';
import type { Observation } from '../competencies/mastery.js';
import { formatPercent } from '../competencies/ruleText.js';

export interface CountedEvidence {
  observations: readonly CountedObservation[];
  assessments: readonly RecordedAssessment[];
}

const teamSize = (record: { sharedWith?: readonly string[] | undefined }): number => 1 + new Set(record.sharedWith ?? []).size;

/** Shared when it was recorded for a team: its own educator and at least one more. */
const isShared = (record: { sharedWith?: readonly string[] | undefined }): boolean => teamSize(record) > 1;

const sharedSentence = (record: { sharedWith?: readonly string[] | undefined }, what: string): string =>
  ` Shared with the team: this ${what} counts for each of the ${teamSize(record)} educators of the team it was recorded for.`;

function observationEntry({ observation: o, rating }: CountedObservation, index: number): Record<string, unknown> {
  const shared = isShared(o);
  const setting = o.setting ? ` (${o.setting} session)` : '';
  const narrative = [rating.narrative, o.narrative].filter((n): n is string => Boolean(n)).join('\n\n');
  return {
    ...(o.url ? { id: o.url } : {}),
    type: ['Evidence'],
    name: `Observation ${index + 1} (${o.date}${shared ? ', shared with the team' : ''})`,
    description: `Observed on ${o.date}${setting} by ${o.observer}; rated '${rating.level}' on the rubric.${shared ? sharedSentence(o, 'observation') : ''}`,
    ...(narrative ? { narrative } : {}),
    genre: 'Classroom observation',
  };
}

function assessmentEntry(a: RecordedAssessment): Record<string, unknown> {
  const shared = isShared(a);
  return {
    type: ['Evidence'],
    name: `Assessment: ${a.name} (${a.date}${shared ? ', shared with the team' : ''})`,
    description: `Scored ${a.score} of ${a.maxScore} (${formatPercent((100 * a.score) / a.maxScore)}) on ${a.date}.${shared ? sharedSentence(a, 'assessment') : ''}`,
    genre: 'Assessment',
  };
}

/** The badge's `evidence`: the counted observations in date order, then the counted assessments. */
export function masteryEvidence(counted: CountedEvidence): Record<string, unknown>[] {
  return [...counted.observations.map(observationEntry), ...counted.assessments.map(assessmentEntry)];
}

/**
 * The counted observations in the shape of inline evidence (`POST /awards`), for the award path
 * that re-checks the rule's count and levels on what it signs (src/competencies/mastery.ts).
 */
export function asInlineObservations(counted: CountedEvidence): Observation[] {
  return counted.observations.map(({ observation: o, rating }) => ({
    kind: 'observation',
    date: o.date,
    observer: o.observer,
    level: rating.level,
    ...(rating.narrative ?? o.narrative ? { narrative: rating.narrative ?? o.narrative } : {}),
    ...(o.url ? { url: o.url } : {}),
  }));
}
