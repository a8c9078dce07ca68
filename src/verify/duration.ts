// ISO 8601 durations as approval rules write them (`earnedWithin: "P5Y"`): years, months,
// weeks, days and an optional time part, subtracted from a date on the calendar (P1Y from
// 29 February is 28 February), as ISO 8601-1:2019 §5.5.2.4 counts "nominal" durations.

export interface Duration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const PATTERN = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** The duration an ISO 8601 text names, or undefined (`P`, `PT`, fractions and signs are refused). */
export function parseDuration(text: string): Duration | undefined {
  const match = PATTERN.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) return undefined;
  const [years, months, weeks, days, hours, minutes, seconds] = match.slice(1).map((n) => (n === undefined ? 0 : Number(n))) as [number, number, number, number, number, number, number];
  return { years, months, weeks, days, hours, minutes, seconds };
}

/** The instant `duration` before `date`, counted on the UTC calendar. */
export function subtractDuration(date: Date, duration: Duration): Date {
  const d = new Date(date.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCFullYear(d.getUTCFullYear() - duration.years, d.getUTCMonth() - duration.months);
  // The same day of the month, or the month's last day when it has fewer (31 March − P1M = 28/29 February).
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return new Date(d.getTime() - (((duration.weeks * 7 + duration.days) * 24 + duration.hours) * 3600 + duration.minutes * 60 + duration.seconds) * 1000);
}

/** `P5Y` → "5 years", for reports. */
export function describeDuration(duration: Duration): string {
  const parts: Array<[number, string]> = [
    [duration.years, 'year'],
    [duration.months, 'month'],
    [duration.weeks, 'week'],
    [duration.days, 'day'],
    [duration.hours, 'hour'],
    [duration.minutes, 'minute'],
    [duration.seconds, 'second'],
  ];
  return parts
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n} ${unit}${n === 1 ? '' : 's'}`)
    .join(' ');
}
