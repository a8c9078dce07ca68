// `npm run bench`: runs each benchmark section in turn, prints a table per section with the
// machine it ran on, and writes everything to bench/results.json (git-ignored).
// A section is a function returning table rows and raw results; add one to SECTIONS.
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { benchDatabases } from './databases.js';
import { issuanceSections } from './issuanceSections.js';
import { benchKeyProviders } from './keyProviders.js';
import { benchMastery } from './mastery.js';
import { benchRecords } from './records.js';
import { benchSigning } from './signing.js';
import { benchSpeed } from './speed.js';
import { describeMachine, formatTable, type Row } from './report.js';

interface SectionOutput {
  rows: Row[];
  results: unknown;
  /** Headline numbers written at the top of results.json (e.g. `batchVsBaseline`). */
  summary?: Record<string, unknown>;
}

interface Section {
  name: string;
  title: string;
  run(): Promise<SectionOutput>;
}

const N = Number(process.env.BENCH_N ?? 200);

const SECTIONS: Section[] = [
  { name: 'signing', title: `Signing, sequential on one core (N=${N} per suite)`, run: () => benchSigning(N) },
  {
    name: 'speed',
    title: 'Speed (issue 20): plain library, educred general path, educred fast path; per core and on all cores',
    async run() {
      const { rows, results } = await benchSpeed();
      return {
        rows,
        results,
        summary: {
          fastPathSpeedup: results.fastPathSpeedup,
          verifyVsBaseline: results.verifyVsBaseline,
          awards32VsGeneral: results.awards32VsGeneral,
          awards32VsCompared: results.awards32VsCompared,
          comparedCommit: results.comparedCommit,
        },
      };
    },
  },
  { name: 'keyProviders', title: `Signing through each key provider: key file vs PKCS#11 token (eddsa-rdfc-2022, N=${N})`, run: () => benchKeyProviders(N) },
  ...issuanceSections(),
  {
    name: 'mastery',
    title: 'Mastery records: observations recorded per second, with the automatic awards they trigger',
    async run() {
      const { rows, results } = await benchMastery();
      return { rows, results, summary: { masteryObservationsPerSecond: results.perSecond } };
    },
  },
  {
    name: 'records',
    title: 'Program records: issuing a CLR 2.0 record holding seven badges, and verifying it with each badge inside',
    async run() {
      const { rows, results } = await benchRecords();
      return { rows, results, summary: { recordIssueP50Ms: results.issueP50Ms, recordVerifyP50Ms: results.verifyWarmP50Ms } };
    },
  },
  {
    name: 'databases',
    title: 'SQLite and PostgreSQL: single awards, a 1,000-row batch on one node and on two (server processes on 127.0.0.1)',
    async run() {
      const { rows, results } = await benchDatabases();
      const of = (engine: string, nodes: number, load: string) => results.runs.find((r) => r.engine === engine && r.nodes === nodes && r.load.includes(load));
      const headline = (engine: string) => ({
        single: { perSecond: of(engine, 1, 'single')?.perSecond ?? null, p99Ms: of(engine, 1, 'single')?.p99Ms ?? null },
        batch1k: { perSecond: of(engine, 1, 'batch')?.perSecond ?? null, p99Ms: of(engine, 1, 'batch')?.p99Ms ?? null },
        batch1kTwoNodes: { perSecond: of(engine, 2, 'rows')?.perSecond ?? null, p99Ms: of(engine, 2, 'rows')?.p99Ms ?? null },
      });
      return { rows, results, summary: { databases: { sqlite: headline('SQLite'), postgres: results.postgresSkipped ? results.postgresSkipped : headline('PostgreSQL') } } };
    },
  },
];

// Hook for the status-list benchmark: bench/status.ts exports benchStatus() returning
// {rows, results}. It is loaded only when present, so this runner works before it exists.
async function optionalSections(): Promise<Section[]> {
  if (!existsSync(fileURLToPath(new URL('./status.ts', import.meta.url)))) return [];
  const specifier = './status.js'; // a variable: the file may not exist when this one is type-checked
  const module = (await import(specifier)) as { benchStatus?: () => Promise<SectionOutput> };
  if (typeof module.benchStatus !== 'function') return [];
  return [{ name: 'status', title: 'Status lists', run: module.benchStatus }];
}

async function main(): Promise<void> {
  const machine = describeMachine();
  process.stdout.write(`educred bench — ${machine.cores} cores (${machine.cpu}), Node ${machine.node}, ${machine.platform}\n\n`);
  const started = performance.now();
  const sections: Record<string, unknown> = {};
  const summary: Record<string, unknown> = {};
  // BENCH_ONLY=speed,issuance runs just those sections (results.json then holds only them).
  const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
  for (const section of [...SECTIONS, ...(await optionalSections())].filter((s) => !only || only.includes(s.name))) {
    const output = await section.run();
    sections[section.name] = output.results;
    Object.assign(summary, output.summary);
    process.stdout.write(`${section.title}\n${formatTable(output.rows)}\n\n`);
  }
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  const file = fileURLToPath(new URL('./results.json', import.meta.url));
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), machine, seconds, ...summary, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024), sections }, null, 2) + '\n');
  process.stdout.write(`${seconds} s; results written to bench/results.json\n`);
}

await main();
