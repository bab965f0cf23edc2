import { Gateway } from '../../gateway/gateway.js';
import { createLogger } from '../../logger.js';
import { hostProblem } from '../addresses.js';
import { type Command, openCluster } from '../command.js';
import { HOST_PATTERN, LOG_LEVEL_SPEC } from '../node-config.js';
import type { OptionSpec } from '../options.js';

/** LISTEN_SPECS: where a gateway or sd server binds (shared by `arith gateway` and `arith sd`). */
export const LISTEN_SPECS: readonly OptionSpec[] = [
  {
    flag: 'host',
    env: 'ARITH_GATEWAY_HOST',
    type: 'string',
    pattern: HOST_PATTERN,
    check: hostProblem,
    default: '127.0.0.1',
    help: 'address to bind',
  },
  {
    flag: 'port',
    env: 'ARITH_GATEWAY_PORT',
    type: 'int',
    min: 0,
    max: 65535,
    default: 7060,
    help: 'HTTP port (0: any free port)',
  },
  LOG_LEVEL_SPEC,
];

/**
 * `arith gateway`: one address for every client. HTTP JSON-RPC (`POST /`) and newline-delimited
 * TCP JSON-RPC 2.0/1.0, each call forwarded through the SDK to the live nodes in etcd; `/healthz`,
 * `/readyz`, `/metrics`, `/sd`. Runs until SIGINT/SIGTERM, then drains.
 */
export const gatewayCommand: Command = {
  name: 'gateway',
  summary: 'run a JSON-RPC gateway (HTTP + TCP) that forwards to the live nodes, with /sd and /metrics',
  usage: 'arith gateway [--port P] [--tcp-port Q] [--host H]',
  needsEtcd: true,
  specs: [
    ...LISTEN_SPECS,
    {
      flag: 'tcp-port',
      env: 'ARITH_GATEWAY_TCP_PORT',
      type: 'int',
      min: 0,
      max: 65535,
      default: 7061,
      help: 'TCP newline-delimited JSON-RPC port (0: any free port)',
    },
    {
      flag: 'id',
      env: 'ARITH_GATEWAY_ID',
      type: 'string',
      default: 'gateway',
      help: 'the gateway label on its metrics',
    },
    {
      flag: 'request-timeout',
      type: 'int',
      min: 1,
      max: 3_600_000,
      default: 30_000,
      help: 'longest deadline a forwarded call gets, ms',
    },
    {
      flag: 'max-inflight',
      type: 'int',
      min: 1,
      max: 1_000_000,
      default: 10_000,
      help: 'calls forwarded at once; more are answered OVERLOADED',
    },
  ],
  async run(values, _positionals, io, signal) {
    const logger = createLogger({ level: values['log-level'] as string, name: 'arith-gateway' });
    const cluster = await openCluster(values, signal);
    const gateway = new Gateway({
      cluster,
      host: values.host as string,
      port: values.port as number,
      tcpPort: values['tcp-port'] as number,
      id: values.id as string,
      requestTimeoutMs: values['request-timeout'] as number,
      maxInflight: values['max-inflight'] as number,
      logger,
    });
    try {
      await gateway.start().catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EADDRINUSE') throw error;
        throw new Error(`address in use: ${error.message} (--port / --tcp-port)`, { cause: error });
      });
      const { http, tcp } = gateway.addresses;
      if (values.json)
        io.out(JSON.stringify({ port: http.port, tcpPort: tcp.port, nodes: cluster.nodes().length }));
      await untilAborted(signal);
      return 0;
    } finally {
      await gateway.close();
      await cluster.close();
    }
  },
};

/** untilAborted resolves when `signal` aborts (at once if it has). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
