// Presentation of benchmark results: the machine they were measured on and plain-text tables,
// so that numbers from different machines are never compared without their context.
import os from 'node:os';

export interface Machine {
  cores: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  platform: string;
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}

export type Row = Record<string, string | number>;

/** Renders rows as an aligned table; the first row's keys are the columns. */
export function formatTable(rows: readonly Row[]): string {
  const first = rows[0];
  if (!first) return '(no rows)';
  const columns = Object.keys(first);
  const cell = (value: string | number | undefined): string => (value === undefined ? '' : String(value));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]): string => values.map((v, i) => v.padStart(i === 0 ? 0 : (widths[i] ?? 0)).padEnd(i === 0 ? (widths[i] ?? 0) : 0)).join('  ');
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n');
}

/** Rounds a duration in ms for display. */
export const ms = (value: number): number => Math.round(value * 1000) / 1000;
