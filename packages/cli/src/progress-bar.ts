/**
 * A progress bar on stderr, so that stdout stays machine-readable. On a terminal it redraws one
 * line; otherwise (a pipe, a log file, a test) it prints a line at each tenth of the way.
 */
export class ProgressBar {
  private lastDraw = 0;
  private lastTenth = -1;
  private finished = false;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number): void {
    if (this.finished) return;
    const fraction = this.total > 0 ? Math.min(1, done / this.total) : 1;
    if (this.stream.isTTY) {
      const now = Date.now();
      if (done < this.total && now - this.lastDraw < 100) return;
      this.lastDraw = now;
      const width = 28;
      const filled = Math.round(fraction * width);
      this.stream.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total}`);
    } else {
      const tenth = Math.floor(fraction * 10);
      if (tenth === this.lastTenth) return;
      this.lastTenth = tenth;
      this.stream.write(`${this.label}: ${done}/${this.total} (${Math.round(fraction * 100)}%)\n`);
    }
  }

  /** Ends the line where the bar stands (a failed run must not show 100 %). */
  close(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.stream.isTTY) this.stream.write('\n');
  }

  /** Draws 100 % (if not shown yet) and ends the line. */
  finish(): void {
    if (this.finished) return;
    this.update(this.total);
    this.finished = true;
    if (this.stream.isTTY) this.stream.write('\n');
  }
}
