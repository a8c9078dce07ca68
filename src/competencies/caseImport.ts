// Imports a 1EdTech CASE 1.0 package (`CFPackage` JSON: CFDocument, CFItems, CFAssociations,
// optional CFRubrics; CASE Service 1.0 information model) as a competency framework:
// - each CFItem with a `humanCodingScheme` becomes a competency: the code is `humanCodingScheme`,
//   the description `fullStatement`, the name `abbreviatedStatement` (or `fullStatement`, cut);
// - its Achievement aligns to the item itself (`targetType: "CFItem"`, `targetUrl` the item's
//   `uri`, `targetFramework` the CFDocument's `title`, `targetCode` the `humanCodingScheme`);
// - competencies are numbered in the document's order: the `isChildOf` tree from the CFDocument
//   down, siblings by `sequenceNumber`, then any item the tree does not reach, in package order;
// - CFRubricCriterionLevels become the rubric: a criterion whose `CFItemURI` names an item is that
//   competency's rubric, the first other criterion the framework's; levels are ordered lowest
//   first by `score` when every level has one, else by `position`; a level's code is its
//   `quality` in lower case with dashes. No rubric: the built-in four levels;
// - mastery rules come from a side file (CASE_RULES_SCHEMA: a default rule, rules by
//   humanCodingScheme, the CFItemTypes to import) or the default rule: the built-in one, 5
//   observations at 'proficient' or higher, each level from 'proficient' up its own badge (on the
//   built-in rubric: proficient and exemplary). A rubric without 'proficient' needs a side file.
import {
  BUILT_IN_RUBRIC,
  DEFAULT_MASTERY_RULE,
  type Competency,
  type CompetencyFramework,
  type MasteryRule,
  type Rubric,
  type RubricLevelDefinition,
} from './framework.js';
import { FrameworkInvalidError, type FrameworkProblem } from './errors.js';
import { CASE_PACKAGE_SCHEMA, CASE_RULES_SCHEMA, CODE_PATTERN, schemaProblems } from './frameworkSchema.js';
import { duplicateProblems, ruleProblems } from './frameworkJson.js';
import { describeRule } from './ruleText.js';

interface Link {
  uri: string;
  identifier?: string;
  title?: string;
}
interface CFItem {
  identifier: string;
  uri: string;
  fullStatement: string;
  humanCodingScheme?: string;
  abbreviatedStatement?: string;
  CFItemType?: string;
  notes?: string;
  conceptKeywords?: string[] | null;
}
interface CFAssociation {
  associationType: string;
  sequenceNumber?: number | string;
  originNodeURI: Link;
  destinationNodeURI: Link;
}
interface CFRubricCriterionLevel {
  identifier: string;
  quality?: string;
  description?: string;
  feedback?: string;
  score?: number;
  position?: number;
}
interface CFRubricCriterion {
  identifier: string;
  CFItemURI?: Link;
  position?: number;
  CFRubricCriterionLevels?: CFRubricCriterionLevel[];
}
interface CFPackage {
  CFDocument: { identifier: string; uri: string; creator: string; title: string; description?: string };
  CFItems?: CFItem[];
  CFAssociations?: CFAssociation[];
  CFRubrics?: { CFRubricCriteria?: CFRubricCriterion[] }[];
}

/** The side file of mastery rules (docs/frameworks.md). */
export interface CaseRules {
  code?: string;
  masteryRule?: MasteryRule;
  competencies?: Record<string, MasteryRule>;
  itemTypes?: string[];
}

/** A CASE package is told apart from educred framework JSON by its `CFDocument`. */
export function isCasePackage(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'CFDocument' in value;
}

const NAME_LIMIT = 120;
function shortName(item: CFItem): string {
  const name = (item.abbreviatedStatement ?? item.fullStatement).trim();
  if (name.length <= NAME_LIMIT) return name;
  const cut = name.slice(0, NAME_LIMIT - 1);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), NAME_LIMIT / 2))}…`;
}

const levelCodeOf = (level: CFRubricCriterionLevel, index: number): string =>
  (level.quality ?? '')
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '') || `level-${index + 1}`;

function rubricOfCriterion(criterion: CFRubricCriterion): Rubric | undefined {
  const levels = criterion.CFRubricCriterionLevels ?? [];
  if (levels.length === 0) return undefined;
  const byScore = levels.every((l) => typeof l.score === 'number');
  const ordered = [...levels].sort((a, b) => (byScore ? (a.score as number) - (b.score as number) : (a.position ?? 0) - (b.position ?? 0)));
  return ordered.map(
    (l, i): RubricLevelDefinition => ({
      code: levelCodeOf(l, i),
      ...(l.quality ? { name: l.quality } : {}),
      description: l.description ?? l.feedback ?? l.quality ?? `Level ${i + 1}`,
    }),
  );
}

/** Items in the document's order: the isChildOf tree from the document, then the rest. */
function documentOrder(pkg: CFPackage, items: readonly CFItem[]): CFItem[] {
  const byId = new Map(items.map((i) => [i.identifier, i]));
  const children = new Map<string, { id: string; seq: number; at: number }[]>();
  (pkg.CFAssociations ?? []).forEach((a, at) => {
    if (a.associationType !== 'isChildOf') return;
    const parent = a.destinationNodeURI.identifier ?? a.destinationNodeURI.uri;
    const child = a.originNodeURI.identifier ?? a.originNodeURI.uri;
    const list = children.get(parent) ?? [];
    list.push({ id: child, seq: a.sequenceNumber === undefined ? Number.MAX_SAFE_INTEGER : Number(a.sequenceNumber), at });
    children.set(parent, list);
  });
  const ordered: CFItem[] = [];
  const seen = new Set<string>();
  const walk = (node: string): void => {
    for (const c of [...(children.get(node) ?? [])].sort((a, b) => a.seq - b.seq || a.at - b.at)) {
      if (seen.has(c.id)) continue;
      seen.add(c.id);
      const item = byId.get(c.id);
      if (item) ordered.push(item);
      walk(c.id);
    }
  };
  walk(pkg.CFDocument.identifier);
  for (const item of items) if (!seen.has(item.identifier)) ordered.push(item);
  return ordered;
}

export interface CaseImport {
  framework: CompetencyFramework;
  /** Items that did not become competencies, and why (no humanCodingScheme, another CFItemType). */
  skipped: { identifier: string; reason: string }[];
}

const codePattern = new RegExp(CODE_PATTERN);

/** The default rule on a rubric, or undefined when the rubric has no 'proficient'. */
function defaultRuleOn(rubric: Rubric): MasteryRule | undefined {
  if (rubric === BUILT_IN_RUBRIC) return DEFAULT_MASTERY_RULE;
  const from = rubric.findIndex((l) => l.code === DEFAULT_MASTERY_RULE.minLevel);
  if (from < 0) return undefined;
  return { minObservations: DEFAULT_MASTERY_RULE.minObservations, minLevel: DEFAULT_MASTERY_RULE.minLevel, awardLevels: rubric.slice(from).map((l) => l.code) };
}

/** Imports a CFPackage with an optional side file of rules; throws FrameworkInvalidError. */
export function importCasePackage(value: unknown, rulesValue?: unknown, source = 'CASE package'): CaseImport {
  const shape = schemaProblems(CASE_PACKAGE_SCHEMA, value);
  if (shape.length > 0) throw new FrameworkInvalidError(source, shape);
  if (rulesValue !== undefined) {
    const ruleShape = schemaProblems(CASE_RULES_SCHEMA, rulesValue);
    if (ruleShape.length > 0) throw new FrameworkInvalidError(`${source} (mastery rules)`, ruleShape);
  }
  const pkg = value as CFPackage;
  const rules = (rulesValue ?? {}) as CaseRules;
  const doc = pkg.CFDocument;

  const criteria = (pkg.CFRubrics ?? []).flatMap((r) => r.CFRubricCriteria ?? []);
  const itemRubrics = new Map<string, Rubric>();
  let frameworkRubric: Rubric | undefined;
  for (const criterion of criteria) {
    const rubric = rubricOfCriterion(criterion);
    if (!rubric) continue;
    const item = criterion.CFItemURI;
    if (item) {
      itemRubrics.set(item.identifier ?? item.uri, rubric);
      itemRubrics.set(item.uri, rubric);
    } else frameworkRubric ??= rubric;
  }
  const rubric = frameworkRubric ?? BUILT_IN_RUBRIC;

  const skipped: CaseImport['skipped'] = [];
  const items = (pkg.CFItems ?? []).filter((item) => {
    if (rules.itemTypes && !rules.itemTypes.includes(item.CFItemType ?? '')) {
      skipped.push({ identifier: item.identifier, reason: `its CFItemType '${item.CFItemType ?? ''}' is not one of ${rules.itemTypes.join(', ')}` });
      return false;
    }
    if (!item.humanCodingScheme?.trim()) {
      skipped.push({ identifier: item.identifier, reason: 'it has no humanCodingScheme to be its code' });
      return false;
    }
    return true;
  });
  const ordered = documentOrder(pkg, items);
  const indexOf = new Map((pkg.CFItems ?? []).map((item, i) => [item, i]));
  const pointer = (item: CFItem): string => `/CFItems/${indexOf.get(item) ?? 0}`;

  const problems: FrameworkProblem[] = [];
  if (ordered.length === 0) problems.push({ pointer: '/CFItems', message: 'no item with a humanCodingScheme to become a competency' });
  const codes = ordered.map((item) => (item.humanCodingScheme as string).trim());
  ordered.forEach((item, i) => {
    if (!codePattern.test(codes[i] as string)) {
      problems.push({
        pointer: `${pointer(item)}/humanCodingScheme`,
        message: `'${codes[i]}' cannot be an achievement code: letters, digits and . _ ~ - only (it names the Achievement's URL)`,
      });
    }
  });
  problems.push(...duplicateProblems(codes, (i) => `${pointer(ordered[i] as CFItem)}/humanCodingScheme`, 'the humanCodingScheme'));
  for (const code of Object.keys(rules.competencies ?? {})) {
    if (!codes.includes(code)) problems.push({ pointer: `/competencies/${code}`, message: `the side file names '${code}', which is no imported item` });
  }

  const frameworkCode = rules.code ?? `case-${doc.identifier}`;
  if (!codePattern.test(frameworkCode)) {
    problems.push({ pointer: '/CFDocument/identifier', message: `'${frameworkCode}' cannot be a framework code: give one as "code" in the side file of rules` });
  }
  const defaults = new Map<Rubric, MasteryRule | undefined>();
  const ruleFor = (code: string, rubricOfItem: Rubric): MasteryRule | undefined => {
    const given = rules.competencies?.[code] ?? rules.masteryRule;
    if (given) return given;
    if (!defaults.has(rubricOfItem)) {
      const fallback = defaultRuleOn(rubricOfItem);
      defaults.set(rubricOfItem, fallback);
      if (!fallback) {
        problems.push({
          pointer: '/CFRubrics',
          message: `the rubric (${rubricOfItem.map((l) => l.code).join(', ')}) has no level 'proficient' for the default rule: give the mastery rules in a side file`,
        });
      }
    }
    return defaults.get(rubricOfItem);
  };
  const competencies: Competency[] = ordered.map((item, i) => {
    const code = codes[i] as string;
    const own = itemRubrics.get(item.identifier) ?? itemRubrics.get(item.uri);
    const masteryRule = ruleFor(code, own ?? rubric) ?? DEFAULT_MASTERY_RULE;
    const rulePointer = rules.competencies?.[code] ? `(mastery rules)/competencies/${code}` : '(mastery rules)/masteryRule';
    if (rules.competencies?.[code] ?? rules.masteryRule) problems.push(...ruleProblems(masteryRule, own ?? rubric, rulePointer));
    const name = shortName(item);
    return {
      code,
      number: i + 1,
      name,
      description: item.fullStatement,
      criteria: describeRule(masteryRule),
      tags: (item.conceptKeywords ?? []).slice(0, 20),
      masteryRule,
      ...(own ? { rubric: own } : {}),
      alignment: { targetType: 'CFItem', targetUrl: item.uri, targetFramework: doc.title, targetCode: code, targetName: name },
    };
  });
  if (problems.length > 0) throw new FrameworkInvalidError(source, problems);
  return {
    framework: {
      code: frameworkCode,
      name: doc.title,
      description: doc.description ?? `${doc.title}, imported from the CASE package ${doc.uri} (${doc.creator}).`,
      rubric,
      competencies,
      source: { kind: 'case', documentUri: doc.uri, documentIdentifier: doc.identifier },
    },
    skipped,
  };
}
