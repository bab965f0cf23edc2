import net from 'node:net';

/**
 * TcpProxy forwards a loopback port to a target, and can cut traffic on demand (as etcd3's own
 * tests do): `cut()` resets every connection and refuses new ones until `restore()`;
 * `blackhole()` stops forwarding in both directions without closing anything (a partition: bytes
 * wait unread, new connections are accepted and held) until `restore()` forwards them again.
 */
export class TcpProxy {
  readonly #server: net.Server;
  readonly #conns = new Set<net.Socket>();
  readonly #pairs = new Set<[net.Socket, net.Socket]>();
  readonly #held: net.Socket[] = [];
  #cut = false;
  #blackhole = false;
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
      if (this.#blackhole) {
        client.pause();
        client.on('error', () => client.destroy());
        this.#held.push(client);
        return;
      }
      this.#forward(client);
    });
  }

  #forward(client: net.Socket): void {
    const upstream = net.connect(this.targetPort, this.targetHost);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    this.#pairs.add(pair);
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.#conns.add(a);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        this.#conns.delete(a);
        this.#pairs.delete(pair);
        b.destroy();
      });
      a.pipe(b);
    }
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

  /** address is the proxy's own `127.0.0.1:port`. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** cut resets every open connection and refuses new ones. */
  cut(): void {
    this.#cut = true;
    for (const s of this.#conns) s.resetAndDestroy();
    for (const s of this.#held.splice(0)) s.resetAndDestroy();
  }

  /** blackhole stops forwarding both ways, closing nothing; new connections are held, unanswered. */
  blackhole(): void {
    this.#blackhole = true;
    for (const [client, upstream] of this.#pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  /** restore lets connections through again (and forwards what a blackhole held). */
  restore(): void {
    this.#cut = false;
    if (!this.#blackhole) return;
    this.#blackhole = false;
    for (const [client, upstream] of this.#pairs) {
      client.pipe(upstream);
      upstream.pipe(client);
    }
    for (const client of this.#held.splice(0)) if (!client.destroyed) this.#forward(client);
  }

  /** close stops the proxy and drops its connections. */
  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
