// Frameworks from files: a document is educred framework JSON or a CASE package (told apart by
// its `CFDocument`); EDUCRED_FRAMEWORKS_DIR holds one document per `*.json` file, and a CASE
// package `name.json` takes its mastery rules from `name.rules.json` beside it, if there is one.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { importCasePackage, isCasePackage } from './caseImport.js';
import { FrameworkInvalidError } from './errors.js';
import type { CompetencyFramework } from './framework.js';
import { parseFrameworkJson } from './frameworkJson.js';

export interface LoadedFramework {
  framework: CompetencyFramework;
  /** CASE items that did not become competencies, and why. */
  skipped: { identifier: string; reason: string }[];
}

/** One framework document (already parsed JSON), with the side file of rules of a CASE package. */
export function loadFrameworkDocument(value: unknown, rules?: unknown, source = 'framework'): LoadedFramework {
  if (isCasePackage(value)) return importCasePackage(value, rules, source);
  if (rules !== undefined) throw new FrameworkInvalidError(source, [{ pointer: '', message: 'mastery rules in a side file are for a CASE package; framework JSON states its rules itself' }]);
  return { framework: parseFrameworkJson(value, source), skipped: [] };
}

const RULES_SUFFIX = '.rules.json';

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (error) {
    throw new FrameworkInvalidError(file, [{ pointer: '', message: `is not readable JSON: ${(error as Error).message}` }]);
  }
}

/** Every framework of a folder, in file-name order. Throws FrameworkInvalidError naming the file. */
export function loadFrameworksDir(dir: string): LoadedFramework[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.endsWith(RULES_SUFFIX))
    .sort();
  return files.map((file) => {
    const full = path.join(dir, file);
    const rulesFile = path.join(dir, `${file.slice(0, -'.json'.length)}${RULES_SUFFIX}`);
    return loadFrameworkDocument(readJson(full), existsSync(rulesFile) ? readJson(rulesFile) : undefined, full);
  });
}
