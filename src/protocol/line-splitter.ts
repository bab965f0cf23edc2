/** FrameTooLargeError: a line grew past the frame limit before its newline arrived. */
export class FrameTooLargeError extends Error {
  override readonly name = 'FrameTooLargeError';
  constructor(readonly limit: number) {
    super(`frame exceeds ${limit} bytes`);
  }
}

/**
 * LineSplitter frames newline-delimited JSON on a stream without rescanning: each chunk is searched
 * once, an unterminated tail is kept as a list of buffers, and a tail that grows past `maxBytes`
 * throws FrameTooLargeError at once (without waiting for the rest of the line).
 */
export class LineSplitter {
  readonly #maxBytes: number;
  #pending: Buffer[] = [];
  #pendingBytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** push feeds one chunk and returns the complete lines it finished (without `\n` or `\r`). */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    let nl = chunk.indexOf(10, start);
    while (nl !== -1) {
      let line: Buffer;
      if (this.#pendingBytes > 0) {
        this.#pending.push(chunk.subarray(start, nl));
        line = Buffer.concat(this.#pending, this.#pendingBytes + nl - start);
        this.#pending = [];
        this.#pendingBytes = 0;
      } else {
        line = chunk.subarray(start, nl);
      }
      if (line.length > this.#maxBytes) throw new FrameTooLargeError(this.#maxBytes);
      const end = line.length > 0 && line[line.length - 1] === 13 ? line.length - 1 : line.length;
      if (end > 0) lines.push(line.toString('utf8', 0, end));
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    if (start < chunk.length) {
      this.#pending.push(chunk.subarray(start));
      this.#pendingBytes += chunk.length - start;
      if (this.#pendingBytes > this.#maxBytes) throw new FrameTooLargeError(this.#maxBytes);
    }
    return lines;
  }

  /** pendingBytes is the size of the unterminated tail held now. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }
}
