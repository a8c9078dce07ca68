// `educred educators add|list|show`, `educred observe`, `educred observations import FILE.csv`
// and `educred frameworks import FILE`: the mastery records of issue 14 against the local
// database and key, as the HTTP routes do (the same request schemas, the same domain functions,
// the same automatic awards and claim links). Results are JSON on stdout.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CsvFormatError } from '../awards/batchCsv.js';
import { AchievementCodeCollisionError, FrameworkCodeCollisionError, FrameworkInvalidError, InvalidRatingError } from '../competencies/errors.js';
import { importFramework, syncStoredFrameworks } from '../competencies/frameworkSetup.js';
import { DuplicateExternalIdError, EducatorNotFoundError, InvalidRecordError } from '../educators/errors.js';
import { masteryAwarder } from '../educators/masteryAwarder.js';
import { createEducator, educatorProgress, recordObservation, type MasteryDeps, type RecordOutcome } from '../educators/masteryRecords.js';
import { observationsFromCsv } from '../educators/observationsCsv.js';
import { EducatorRequestSchema, ObservationRequestSchema } from '../educators/requests.js';
import { educatorView } from '../http/educators.js';
import { closeRuntime, createRuntime, type Runtime } from '../runtime.js';
import { serviceDeps } from '../service.js';
import { CliError, loadCliConfig, printJson, readJsonFile, stderrLogger } from './io.js';
import { createProgressBar } from './progress.js';

const DOMAIN_ERRORS = [
  FrameworkInvalidError,
  FrameworkCodeCollisionError,
  AchievementCodeCollisionError,
  InvalidRatingError,
  InvalidRecordError,
  DuplicateExternalIdError,
  EducatorNotFoundError,
  CsvFormatError,
];

async function withRuntime<T>(fn: (runtime: Runtime, mastery: MasteryDeps) => Promise<T>, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const runtime = await createRuntime(loadCliConfig(env), stderrLogger());
  try {
    await syncStoredFrameworks(runtime.store, runtime.frameworks);
    const mastery: MasteryDeps = { records: runtime.store.educators, catalog: runtime.frameworks, award: masteryAwarder({ ...serviceDeps(runtime), actor: 'cli', catalog: runtime.frameworks }) };
    return await fn(runtime, mastery);
  } catch (error) {
    if (DOMAIN_ERRORS.some((E) => error instanceof E)) throw new CliError((error as Error).message, 1, { cause: error });
    throw error;
  } finally {
    await closeRuntime(runtime);
  }
}

function parsed<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new CliError(result.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '));
  return result.data;
}

/** `--rating CODE=LEVEL` (repeatable). */
function ratingsOf(values: readonly string[]): { achievement: string; level: string }[] {
  return values.map((v) => {
    const at = v.indexOf('=');
    if (at <= 0 || at === v.length - 1) throw new CliError(`--rating '${v}' must be CODE=LEVEL, e.g. formative-assessment=proficient`);
    return { achievement: v.slice(0, at), level: v.slice(at + 1) };
  });
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

const outcomeView = (o: RecordOutcome) => ({ id: o.id, awarded: o.awarded, progress: o.progress.filter((p) => p.state !== 'not-started') });

export function register(program: Command): void {
  const educators = program.command('educators').description('educators (candidates and in-service teachers) and their progress');
  educators
    .command('add')
    .description('add an educator (an email or a DID is required)')
    .requiredOption('--name <name>', 'the educator’s name')
    .option('--email <email>', 'email address (the badge carries only its salted hash)')
    .option('--did <did>', 'the educator’s DID')
    .option('--external-id <id>', "the program's own student number (unique)")
    .option('--cohort <cohort>', 'cohort')
    .action(async (o: { name: string; email?: string; did?: string; externalId?: string; cohort?: string }) => {
      const request = parsed(EducatorRequestSchema, { name: o.name, email: o.email, did: o.did, externalId: o.externalId, cohort: o.cohort });
      printJson(await withRuntime(async (runtime) => educatorView(await createEducator(runtime.store.educators, request))));
    });
  educators
    .command('list')
    .description('list educators, optionally of one cohort or matching a search')
    .option('--cohort <cohort>', 'only this cohort')
    .option('--q <text>', 'part of a name, email or externalId')
    .option('--limit <n>', 'at most this many', '200')
    .action(async (o: { cohort?: string; q?: string; limit: string }) => {
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new CliError('--limit must be a whole number from 1 to 10000');
      printJson(await withRuntime(async (runtime) => (await runtime.store.educators.listEducators({ cohort: o.cohort, q: o.q, limit })).map(educatorView)));
    });
  educators
    .command('show <educator>')
    .description('an educator (by id, externalId or email) with their progress')
    .action(async (reference: string) => {
      printJson(
        await withRuntime(async (runtime, mastery) => {
          const educator = await runtime.store.educators.findEducatorByReference(reference);
          if (!educator) throw new CliError(`No educator '${reference}' (give an id, an externalId or an email)`);
          return { ...educatorView(educator), progress: await educatorProgress(mastery, educator.id) };
        }),
      );
    });

  program
    .command('observe')
    .description('record one observed lesson: awards every badge whose rule it makes hold')
    .requiredOption('--educator <educator>', 'id, externalId or email of the educator')
    .requiredOption('--date <date>', 'the lesson date, YYYY-MM-DD')
    .requiredOption('--observer <name>', 'who observed')
    .option('--setting <setting>', 'in-person, online or blended')
    .option('--narrative <text>', 'what was seen')
    .option('--rating <CODE=LEVEL>', 'a competency the lesson showed and its rubric level (repeat)', collect, [])
    .action(async (o: { educator: string; date: string; observer: string; setting?: string; narrative?: string; rating: string[] }) => {
      const request = parsed(ObservationRequestSchema, { date: o.date, observer: o.observer, setting: o.setting, narrative: o.narrative, ratings: ratingsOf(o.rating) });
      printJson(
        await withRuntime(async (runtime, mastery) => {
          const educator = await runtime.store.educators.findEducatorByReference(o.educator);
          if (!educator) throw new CliError(`No educator '${o.educator}' (give an id, an externalId or an email)`);
          return outcomeView(await recordObservation(mastery, educator.id, request));
        }),
      );
    });

  program
    .command('observations')
    .description('observations in bulk')
    .command('import <file>')
    .description('record observations from a CSV file, one rating per row (educator,date,observer,setting,achievement,level,narrative)')
    .action(async (file: string) => {
      const summary = await importObservationsCsv(file);
      printJson(summary);
      if (summary.problems.length > 0) process.exitCode = 1;
    });

  program
    .command('frameworks')
    .description('competency frameworks')
    .command('import <file>')
    .description('load a framework: educred framework JSON, or a CASE 1.0 package (with --rules FILE for its mastery rules)')
    .option('--rules <file>', 'the side file of mastery rules of a CASE package')
    .action(async (file: string, o: { rules?: string }) => {
      const document = readJsonFile(file);
      const rules = o.rules ? readJsonFile(o.rules) : undefined;
      printJson(
        await withRuntime(async (runtime) => {
          const { framework, skipped } = await importFramework(runtime.store, runtime.frameworks, document, rules);
          return { code: framework.code, competencies: framework.competencies.length, ...(skipped.length > 0 ? { skipped } : {}) };
        }),
      );
    });
}

export interface ImportSummary {
  observations: number;
  recorded: number;
  awarded: RecordOutcome['awarded'];
  /** Each bad row or observation, by line. */
  problems: { line: number; detail: string }[];
}

/** `educred observations import FILE.csv`: every good observation is recorded; bad rows are reported by line. */
export async function importObservationsCsv(file: string, env: NodeJS.ProcessEnv = process.env): Promise<ImportSummary> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`Cannot read ${file}: ${(error as Error).message}`, 1, { cause: error });
  }
  const { observations, problems } = (() => {
    try {
      return observationsFromCsv(text);
    } catch (error) {
      if (error instanceof CsvFormatError) throw new CliError(error.message, 1, { cause: error });
      throw error;
    }
  })();
  return withRuntime(async (runtime, mastery) => {
    const summary: ImportSummary = { observations: observations.length, recorded: 0, awarded: [], problems: [...problems] };
    const bar = createProgressBar(observations.length, 'observations');
    for (const o of observations) {
      const line = o.lines[0] as number;
      try {
        const educator = await runtime.store.educators.findEducatorByReference(o.educator);
        if (!educator) throw new EducatorNotFoundError(o.educator);
        const outcome = await recordObservation(mastery, educator.id, o.body);
        summary.recorded += 1;
        summary.awarded.push(...outcome.awarded);
        bar.tick(false);
      } catch (error) {
        if (!DOMAIN_ERRORS.some((E) => error instanceof E)) throw error;
        summary.problems.push({ line, detail: `line${o.lines.length > 1 ? `s ${o.lines.join(', ')}` : ` ${line}`}: ${(error as Error).message}` });
        bar.tick(true);
      }
    }
    bar.finish();
    summary.problems.sort((a, b) => a.line - b.line);
    process.stderr.write(`${summary.recorded} of ${summary.observations} observations recorded, ${summary.awarded.length} badges awarded, ${summary.problems.length} problems\n`);
    return summary;
  }, env);
}
