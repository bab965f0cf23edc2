import type { BulkProgress } from '../results/bulk-job.js';

/**
 * ProgressView renders bulk job progress: a redrawn bar with rate and ETA on a terminal, or one
 * plain line every few seconds when output is a pipe or a file.
 */
export class ProgressView {
  #lastPlain = 0;
  #drawn = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly tty: boolean,
    private readonly plainEveryMs = 2_000,
  ) {}

  /** update shows one progress snapshot. */
  update(p: BulkProgress): void {
    const line = describe(p);
    if (this.tty) {
      this.write(`\r\x1b[2K${line}`);
      this.#drawn = true;
      if (p.final) this.done();
      return;
    }
    const now = Date.now();
    if (p.final || now - this.#lastPlain >= this.plainEveryMs) {
      this.#lastPlain = now;
      this.write(`${line}\n`);
    }
  }

  /** done ends the redrawn line so later output starts on a fresh one. */
  done(): void {
    if (this.tty && this.#drawn) this.write('\n');
    this.#drawn = false;
  }
}

function describe(p: BulkProgress): string {
  const rate = `${Math.round(p.ratePerSec).toLocaleString('en-US')}/s`;
  const counts = `stored ${p.stored} skipped ${p.skipped} failed ${p.failed}${p.conflicts ? ` conflicts ${p.conflicts}` : ''}`;
  if (p.expected === undefined || p.expected === 0)
    return `${p.done.toLocaleString('en-US')} done  ${rate}  ${counts}`;
  const ratio = Math.min(1, p.done / p.expected);
  const width = 30;
  const filled = Math.round(ratio * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const left = p.ratePerSec > 0 ? (p.expected - p.done) / p.ratePerSec : Number.NaN;
  const eta = Number.isFinite(left) ? `ETA ${formatSeconds(left)}` : 'ETA ?';
  return `${bar} ${(ratio * 100).toFixed(0).padStart(3)}%  ${p.done}/${p.expected}  ${rate}  ${eta}  ${counts}`;
}

function formatSeconds(s: number): string {
  if (s < 60) return `${Math.ceil(s)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${Math.ceil(s % 60)}s`;
}
