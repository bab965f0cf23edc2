import { createServer, type Server } from 'node:net';

/**
 * freePorts returns `count` distinct TCP ports that were free on 127.0.0.1 a moment ago.
 *
 * Each port comes from listening on port 0 and reading the port the kernel chose; all
 * listeners stay open until every port is known, so the ports differ from each other.
 * Another process may still take a port before the caller binds it (a short race).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      ports.push(
        await new Promise<number>((resolve, reject) => {
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            if (address === null || typeof address === 'string') {
              reject(new Error('freePorts: listener has no TCP address'));
            } else {
              resolve(address.port);
            }
          });
        }),
      );
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

/** freePort returns one TCP port that was free on 127.0.0.1 a moment ago (see freePorts). */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  if (port === undefined) throw new Error('freePort: no port');
  return port;
}
