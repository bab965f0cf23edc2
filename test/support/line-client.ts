import net from 'node:net';

/** LineClient is a raw TCP client that collects newline-delimited responses. */
export class LineClient {
  readonly lines: string[] = [];
  closed = false;
  #wake: (() => void) | undefined;
  #tail = '';

  private constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      const parts = (this.#tail + chunk).split('\n');
      this.#tail = parts.pop() ?? '';
      this.lines.push(...parts);
      this.#wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.#wake?.();
    });
    socket.on('error', () => {});
  }

  /** connect opens a connection to 127.0.0.1:`port`. */
  static connect(port: number): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => resolve(new LineClient(s)));
      s.once('error', reject);
    });
  }

  /** take waits (bounded) until `n` lines arrived, removes and returns them. */
  async take(n: number, timeoutMs = 5_000): Promise<string[]> {
    const until = Date.now() + timeoutMs;
    while (this.lines.length < n) {
      if (this.closed) throw new Error(`connection closed after ${this.lines.length}/${n} lines`);
      if (Date.now() > until) throw new Error(`only ${this.lines.length}/${n} lines within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, 50);
      });
    }
    return this.lines.splice(0, n);
  }

  /** json takes `n` lines and parses each. */
  async json(n = 1): Promise<Array<Record<string, unknown>>> {
    return (await this.take(n)).map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}
