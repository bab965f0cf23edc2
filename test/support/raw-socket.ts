import net from 'node:net';
import tls from 'node:tls';

/** RawSocket is a plain TCP connection to a node port, recording what it reads and when it closes. */
export interface RawSocket {
  socket: net.Socket;
  /** text: everything read so far. */
  text(): string;
  /** lines: what was read, split into non-empty lines and parsed as JSON. */
  lines(): unknown[];
  /** closed resolves once the socket has closed (from either side). */
  closed: Promise<void>;
  /** read resolves once `done(text)` holds for what was read (checked on every chunk). */
  read(done: (text: string) => boolean): Promise<string>;
  /** error: the socket's last error (e.g. a TLS alert), if any. */
  error(): (Error & { code?: string }) | undefined;
}

/** rawSocket connects to `127.0.0.1:port` and resolves once connected; it never sends on its own. */
export async function rawSocket(port: number): Promise<RawSocket> {
  const socket = net.connect({ host: '127.0.0.1', port });
  return recorded(socket, 'connect');
}

/**
 * tlsSocket connects to `127.0.0.1:port` over TLS and resolves once its side of the handshake is
 * done (with TLS 1.3 a server's refusal of the client certificate arrives after that, as `error()`).
 */
export async function tlsSocket(port: number, options: tls.ConnectionOptions): Promise<RawSocket> {
  const socket = tls.connect({ host: '127.0.0.1', port, ...options });
  return recorded(socket, 'secureConnect');
}

async function recorded(socket: net.Socket, ready: 'connect' | 'secureConnect'): Promise<RawSocket> {
  let failure: (Error & { code?: string }) | undefined;
  socket.on('error', (error) => (failure = error));
  await new Promise((resolve, reject) => socket.once(ready, resolve).once('error', reject));
  let text = '';
  const readers = new Set<() => void>();
  socket.setEncoding('utf8').on('data', (s: string) => {
    text += s;
    for (const r of readers) r();
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const read = (done: (t: string) => boolean): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (!done(text)) return;
        readers.delete(check);
        resolve(text);
      };
      readers.add(check);
      void closed.then(() => {
        if (!readers.delete(check)) return;
        if (done(text)) resolve(text);
        else reject(new Error(`socket closed; read so far: ${text.slice(0, 500)}`));
      });
      check();
    });
  return {
    socket,
    text: () => text,
    lines: () =>
      text
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as unknown),
    closed,
    read,
    error: () => failure,
  };
}

/** httpPost is the raw HTTP/1.1 text of a keep-alive JSON POST of `body` to `/`, with extra headers. */
export function httpPost(body: string, headers: Record<string, string> = {}): string {
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return `POST / HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;
}

/** httpBodies are the bodies of the complete HTTP responses in `text` (content-length framed). */
export function httpBodies(text: string): string[] {
  const bodies: string[] = [];
  let rest = text;
  for (let end = rest.indexOf('\r\n\r\n'); end !== -1; end = rest.indexOf('\r\n\r\n')) {
    const length = Number(/content-length: *(\d+)/i.exec(rest.slice(0, end))?.[1] ?? 0);
    if (rest.length < end + 4 + length) break;
    bodies.push(rest.slice(end + 4, end + 4 + length));
    rest = rest.slice(end + 4 + length);
  }
  return bodies;
}
