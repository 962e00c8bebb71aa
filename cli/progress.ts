/** Where the bar is drawn: a terminal stream (process.stderr). */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): boolean;
}

const BAR_CELLS = 24;

/** `1:02.3` */
export function formatElapsed(ms: number): string {
  const totalTenths = Math.floor(ms / 100);
  const minutes = Math.floor(totalTenths / 600);
  const seconds = Math.floor((totalTenths % 600) / 10);
  return `${minutes}:${String(seconds).padStart(2, '0')}.${totalTenths % 10}`;
}

/** `[########----------------]  312/1000 runs  1204 runs/s  0:00.3`, or the shrink count once failing. */
export function progressLine(
  runsDone: number,
  runsTotal: number,
  shrinks: number,
  elapsedMs: number,
): string {
  const filled = Math.min(BAR_CELLS, Math.floor((runsDone / Math.max(1, runsTotal)) * BAR_CELLS));
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_CELLS - filled)}]`;
  const rate = elapsedMs > 0 ? Math.round((runsDone * 1000) / elapsedMs) : 0;
  const shrinking = shrinks > 0 ? `  shrinking: ${shrinks} candidates` : '';
  return `${bar} ${runsDone}/${runsTotal} runs  ${rate} runs/s  ${formatElapsed(elapsedMs)}${shrinking}`;
}

/** A one-line progress bar, redrawn in place; silent unless the stream is a terminal. */
export class ProgressBar {
  readonly #stream: ProgressStream;
  readonly #enabled: boolean;
  #drawn = false;

  constructor(stream: ProgressStream, enabled: boolean) {
    this.#stream = stream;
    this.#enabled = enabled && stream.isTTY === true;
  }

  update(line: string): void {
    if (!this.#enabled) return;
    // A pseudo-terminal may report 0 columns: fall back to 80.
    const columns = this.#stream.columns ?? 0;
    const width = columns >= 20 ? columns - 1 : 79;
    this.#stream.write(`\r\x1b[2K${line.slice(0, width)}`);
    this.#drawn = true;
  }

  clear(): void {
    if (!this.#drawn) return;
    this.#stream.write('\r\x1b[2K');
    this.#drawn = false;
  }
}
