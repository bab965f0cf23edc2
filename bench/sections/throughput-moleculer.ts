/**
 * The moleculer row of section 1: moleculer 0.15 (the framework a Node.js user would most likely
 * pick instead), TCP transporter without UDP discovery, three service nodes each in its own process
 * serving `arith.multiply`, and one caller broker in the bench process calling
 * `broker.call('arith.multiply', { A, B })` (moleculer balances round-robin over the three).
 */
import { ServiceBroker } from 'moleculer';
import { freePorts } from '../../test/support/free-port.js';
import type { BenchContext } from '../lib/context.js';
import { type ServerProcess, spawnTsServer } from '../lib/procs.js';
import type { Client, Scenario } from './throughput.js';

/** MOLECULER_ID is the row's id. */
export const MOLECULER_ID = 'moleculer';

type MakeScenario = (ctx: BenchContext, id: string, label: string, open: () => Promise<Client>) => Scenario;

/** moleculer is the scenario: its three service nodes start in setup and stop in teardown. */
export function moleculer(ctx: BenchContext, nodeScenario: MakeScenario): Scenario {
  const label = 'moleculer 0.15 broker → 3 moleculer service nodes, TCP transporter';
  return nodeScenario(ctx, MOLECULER_ID, label, async () => {
    const ports = await freePorts(4);
    const ids = ['bench-caller', 'svc1', 'svc2', 'svc3'];
    const urls = ids.map((id, i) => `127.0.0.1:${ports[i]}/${id}`);
    const servers: ServerProcess[] = [];
    const broker = new ServiceBroker({
      nodeID: ids[0],
      logger: false,
      transporter: {
        type: 'TCP',
        options: { udpDiscovery: false, port: ports[0], urls: urls.join(',') },
      },
    });
    try {
      for (let i = 1; i < ids.length; i++) {
        servers.push(await spawnTsServer('moleculer-node.ts', [ids[i]!, String(ports[i]), urls.join(',')]));
      }
      await broker.start();
      await broker.waitForServices(['arith'], 20_000);
      // All three service nodes, not just the first one seen: wait until the registry lists each.
      const until = Date.now() + 20_000;
      const seen = (): number =>
        broker.registry
          .getServiceList({ onlyAvailable: true, skipInternal: true })
          .filter((svc: { name: string }) => svc.name === 'arith').length;
      while (seen() < servers.length && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      if (seen() < servers.length) throw new Error(`moleculer: ${seen()} of 3 service nodes seen`);
    } catch (error) {
      await broker.stop().catch(() => undefined);
      await Promise.all(servers.map((s) => s.stop()));
      throw error;
    }
    return {
      once: async (a, b) => {
        const got = await broker.call('arith.multiply', { A: a, B: b });
        if (got !== a * b) throw new Error(`wrong result ${JSON.stringify(got)}, want ${a * b}`);
      },
      serverPids: servers.map((s) => s.pid),
      close: async () => {
        await broker.stop();
        await Promise.all(servers.map((s) => s.stop()));
      },
    };
  });
}
