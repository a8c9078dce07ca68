// A progress line for long CLI runs (bulk issuance), written to stderr so stdout stays a clean
// JSON result. On a terminal it redraws one line; in a log or a pipe it prints a line every 10%.
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean | undefined;
}

export interface ProgressBar {
  tick(problem: boolean): void;
  finish(): void;
}

export function createProgressBar(total: number, label: string, stream: ProgressStream = process.stderr): ProgressBar {
  const started = performance.now();
  const width = 30;
  let done = 0;
  let problems = 0;
  let lastDecile = -1;
  let lastDraw = 0;

  const line = (): string => {
    const fraction = total === 0 ? 1 : done / total;
    const filled = Math.round(fraction * width);
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    return `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.floor(fraction * 100)}% ${done}/${total} · ${problems} with problems · ${rate}/s`;
  };

  const draw = (force: boolean): void => {
    if (stream.isTTY) {
      const now = performance.now();
      if (!force && now - lastDraw < 100) return; // a redraw per row would cost more than the row
      lastDraw = now;
      stream.write(`\r${line()}`);
      return;
    }
    const decile = total === 0 ? 10 : Math.floor((done / total) * 10);
    if (force || decile !== lastDecile) {
      lastDecile = decile;
      stream.write(`${line()}\n`);
    }
  };

  return {
    tick(problem) {
      done++;
      if (problem) problems++;
      draw(done === total);
    },
    finish() {
      if (stream.isTTY) stream.write(`\r${line()}\n`);
    },
  };
}
