// Loads a framework written in educred's framework JSON (docs/frameworks.md): the JSON Schema
// first (src/competencies/frameworkSchema.ts), then what a schema cannot say: codes unique, every
// rule's levels on the framework's rubric, award levels ordered and none below the minimum.
import { levelRank, type Competency, type CompetencyFramework, type MasteryRule, type Rubric } from './framework.js';
import { FrameworkInvalidError, type FrameworkProblem } from './errors.js';
import { FRAMEWORK_JSON_SCHEMA, schemaProblems } from './frameworkSchema.js';

interface FrameworkJson {
  code: string;
  name: string;
  description?: string;
  rubric: { code: string; name?: string; description: string }[];
  masteryRule?: MasteryRule;
  competencies: { code: string; name: string; description: string; criteria: string; masteryRule?: MasteryRule; image?: string; tags?: string[] }[];
}

/** What is wrong with a rule on a rubric, as problems under `pointer`. */
export function ruleProblems(rule: MasteryRule, rubric: Rubric, pointer: string): FrameworkProblem[] {
  const problems: FrameworkProblem[] = [];
  const levels = rubric.map((l) => l.code).join(', ');
  const minRank = levelRank(rubric, rule.minLevel);
  if (minRank < 0) problems.push({ pointer: `${pointer}/minLevel`, message: `'${rule.minLevel}' is not a level of the rubric (${levels})` });
  let previous = -1;
  (rule.awardLevels ?? []).forEach((level, i) => {
    const rank = levelRank(rubric, level);
    const at = `${pointer}/awardLevels/${i}`;
    if (rank < 0) problems.push({ pointer: at, message: `'${level}' is not a level of the rubric (${levels})` });
    else if (minRank >= 0 && rank < minRank) problems.push({ pointer: at, message: `'${level}' is below the rule's minLevel '${rule.minLevel}'` });
    else if (rank <= previous) problems.push({ pointer: at, message: 'award levels are listed lowest first, each once' });
    if (rank >= 0) previous = rank;
  });
  if (rule.minObservations === 0 && !rule.assessment) {
    problems.push({ pointer: `${pointer}/minObservations`, message: 'a rule that asks for no observation must ask for an assessment' });
  }
  return problems;
}

/** Codes that appear twice in a list, with the pointer of each repeat. */
export function duplicateProblems(codes: readonly string[], pointerOf: (index: number) => string, what: string): FrameworkProblem[] {
  const seen = new Set<string>();
  return codes.flatMap((code, i) => {
    if (!seen.has(code)) {
      seen.add(code);
      return [];
    }
    return [{ pointer: pointerOf(i), message: `${what} '${code}' appears twice` }];
  });
}

/** Parses educred framework JSON; throws FrameworkInvalidError with every problem found. */
export function parseFrameworkJson(value: unknown, source = 'framework'): CompetencyFramework {
  const shape = schemaProblems(FRAMEWORK_JSON_SCHEMA, value);
  if (shape.length > 0) throw new FrameworkInvalidError(source, shape);
  const json = value as FrameworkJson;
  const rubric: Rubric = json.rubric.map((l) => ({ code: l.code, ...(l.name ? { name: l.name } : {}), description: l.description }));
  const problems: FrameworkProblem[] = [
    ...duplicateProblems(rubric.map((l) => l.code), (i) => `/rubric/${i}/code`, 'the rubric level'),
    ...duplicateProblems(json.competencies.map((c) => c.code), (i) => `/competencies/${i}/code`, 'the competency code'),
  ];
  if (json.masteryRule) problems.push(...ruleProblems(json.masteryRule, rubric, '/masteryRule'));
  json.competencies.forEach((c, i) => {
    if (c.masteryRule) problems.push(...ruleProblems(c.masteryRule, rubric, `/competencies/${i}/masteryRule`));
    else if (!json.masteryRule) problems.push({ pointer: `/competencies/${i}`, message: "must have a 'masteryRule' (or the framework a default 'masteryRule')" });
  });
  if (problems.length > 0) throw new FrameworkInvalidError(source, problems);
  const competencies: Competency[] = json.competencies.map((c, i) => {
    const masteryRule = (c.masteryRule ?? json.masteryRule) as MasteryRule;
    return {
      code: c.code,
      number: i + 1,
      name: c.name,
      description: c.description,
      criteria: c.criteria,
      tags: c.tags ?? [],
      masteryRule,
      ...(c.image ? { image: c.image } : {}),
    };
  });
  return {
    code: json.code,
    name: json.name,
    description: json.description ?? json.name,
    rubric,
    competencies,
    source: { kind: 'educred' },
  };
}
