import net from 'node:net';

/**
 * TcpProxy forwards a loopback port to a target, and can cut traffic on demand (as etcd3's own
 * tests do): `cut()` resets every connection and refuses new ones until `restore()`.
 */
export class TcpProxy {
  readonly #server: net.Server;
  readonly #conns = new Set<net.Socket>();
  #cut = false;
  port = 0;

  constructor(
    readonly targetHost: string,
    readonly targetPort: number,
  ) {
    this.#server = net.createServer((client) => {
      if (this.#cut) {
        client.resetAndDestroy();
        return;
      }
      const upstream = net.connect(targetPort, targetHost);
      for (const [a, b] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        this.#conns.add(a);
        a.on('error', () => b.destroy());
        a.on('close', () => {
          this.#conns.delete(a);
          b.destroy();
        });
        a.pipe(b);
      }
    });
  }

  /** fromUrl builds a proxy in front of an `http://host:port` endpoint. */
  static fromUrl(url: string): TcpProxy {
    const u = new URL(url);
    return new TcpProxy(u.hostname, Number(u.port));
  }

  /** listen binds 127.0.0.1 on a free port and resolves with it. */
  listen(): Promise<number> {
    return new Promise((resolve) => {
      this.#server.listen(0, '127.0.0.1', () => {
        this.port = (this.#server.address() as net.AddressInfo).port;
        resolve(this.port);
      });
    });
  }

  /** url is the proxy's own `http://127.0.0.1:port`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** cut resets every open connection and refuses new ones. */
  cut(): void {
    this.#cut = true;
    for (const s of this.#conns) s.resetAndDestroy();
  }

  /** restore lets connections through again. */
  restore(): void {
    this.#cut = false;
  }

  /** close stops the proxy and drops its connections. */
  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
