import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { ArithNodeOptions } from '../node/arith-node.js';
import { isValidName } from '../registry/keys.js';
import { hostProblem } from './addresses.js';
import { ETCD_SPECS, resultsEtcdOf, toEtcdOptions } from './etcd-options.js';
import { type OptionSpec, parseOptions, UsageError } from './options.js';
import { NODE_TLS_SPECS, PEER_TLS_SPECS, toNodeTls, toPeerTls } from './tls-options.js';

/** HOST_PATTERN: what `--host` and `--advertise-host` accept (an IP, bracketed IPv6, or a name). */
export const HOST_PATTERN = /^(\[[0-9a-fA-F:.]+\]|[0-9a-fA-F:.]+|[A-Za-z0-9.-]+)$/;

/** LOG_LEVEL_SPEC is the `--log-level` flag (env LOG_LEVEL) of the long-running commands. */
export const LOG_LEVEL_SPEC: OptionSpec = {
  flag: 'log-level',
  env: 'LOG_LEVEL',
  type: 'string',
  choices: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'],
  default: 'info',
  help: 'log level',
};

/** NODE_SPECS are `arith-node`'s settings: flags over env over defaults. */
export const NODE_SPECS: readonly OptionSpec[] = [
  {
    flag: 'host',
    env: 'ARITH_HOST',
    type: 'string',
    pattern: HOST_PATTERN,
    check: hostProblem,
    default: '127.0.0.1',
    help: 'address to bind',
  },
  {
    flag: 'port',
    env: 'ARITH_PORT',
    type: 'int',
    min: 0,
    max: 65535,
    default: 7070,
    help: 'HTTP JSON-RPC port (0: any free port)',
  },
  {
    flag: 'tcp-port',
    env: 'ARITH_TCP_PORT',
    type: 'int',
    min: 0,
    max: 65535,
    default: 7071,
    help: 'TCP newline-delimited JSON-RPC port (0: any)',
  },
  {
    flag: 'advertise-host',
    env: 'ARITH_ADVERTISE_HOST',
    type: 'string',
    pattern: HOST_PATTERN,
    check: hostProblem,
    help: 'host clients dial, written to etcd (default: --host, or the hostname when binding 0.0.0.0/::)',
  },
  ...NODE_TLS_SPECS,
  ...PEER_TLS_SPECS,
  ...ETCD_SPECS,
  {
    flag: 'ttl',
    env: 'ARITH_TTL',
    type: 'int',
    min: 2,
    max: 3600,
    default: 10,
    help: 'lease TTL in seconds',
  },
  { flag: 'id', env: 'ARITH_NODE_ID', type: 'string', help: 'node id (default: <hostname>-<random>)' },
  {
    flag: 'replace',
    env: 'ARITH_REPLACE',
    type: 'boolean',
    default: false,
    help: 'take the --id over from another live node holding it (that node then exits 3)',
  },
  {
    flag: 'weight',
    env: 'ARITH_WEIGHT',
    type: 'int',
    min: 1,
    max: 1000,
    default: 1,
    help: 'relative share of calls for weighted balancing',
  },
  {
    flag: 'max-body',
    env: 'ARITH_MAX_BODY_BYTES',
    type: 'int',
    min: 1024,
    max: 256 * 1024 * 1024,
    default: 1024 * 1024,
    help: 'largest HTTP body / TCP line, bytes',
  },
  {
    flag: 'max-batch',
    env: 'ARITH_MAX_BATCH',
    type: 'int',
    min: 1,
    max: 100_000,
    default: 1000,
    help: 'most calls in one JSON-RPC batch',
  },
  {
    flag: 'request-timeout',
    env: 'ARITH_REQUEST_TIMEOUT_MS',
    type: 'int',
    min: 1,
    max: 3_600_000,
    default: 30_000,
    help: 'per-request timeout, ms (a client deadline can only shorten it)',
  },
  {
    flag: 'drain-timeout',
    env: 'ARITH_DRAIN_TIMEOUT_MS',
    type: 'int',
    min: 0,
    max: 3_600_000,
    default: 10_000,
    help: 'how long shutdown waits for in-flight calls, ms',
  },
  {
    flag: 'idle-timeout',
    env: 'ARITH_IDLE_TIMEOUT_MS',
    type: 'int',
    min: 0,
    max: 3_600_000,
    default: 30_000,
    help: 'close connections with nothing in flight (HTTP: no request completed) this long, ms (0: never)',
  },
  {
    flag: 'soft-memory',
    env: 'ARITH_SOFT_MEMORY_MB',
    type: 'int',
    min: 0,
    max: 1_048_576,
    default: 150,
    help: 'above this resident memory, MB, run a full garbage collection at most once a second (0: off)',
  },
  {
    flag: 'max-connections',
    env: 'ARITH_MAX_CONNECTIONS',
    type: 'int',
    min: 1,
    max: 1_000_000,
    default: 10_000,
    help: 'open connections over both ports; more are refused at once',
  },
  {
    flag: 'max-pipeline',
    env: 'ARITH_MAX_PIPELINE',
    type: 'int',
    min: 1,
    max: 1_000_000,
    default: 1024,
    help: 'requests in flight per TCP connection before the node stops reading it',
  },
  {
    flag: 'max-inflight',
    env: 'ARITH_MAX_INFLIGHT',
    type: 'int',
    min: 1,
    max: 10_000_000,
    default: 10_000,
    help: 'calls in flight per node; more are answered -32003 (overloaded) at once',
  },
  {
    flag: 'no-worker',
    env: 'ARITH_NO_WORKER',
    type: 'boolean',
    default: false,
    help: 'do not work the job queue (nodes work it by default)',
  },
  {
    flag: 'worker-concurrency',
    env: 'ARITH_WORKER_CONCURRENCY',
    type: 'int',
    min: 1,
    max: 256,
    default: 4,
    help: 'queue chunks worked at once',
  },
  {
    flag: 'standalone',
    env: 'ARITH_STANDALONE',
    type: 'boolean',
    default: false,
    help: 'serve without registering in etcd',
  },
  {
    flag: 'delay-ms',
    env: 'ARITH_DELAY_MS',
    type: 'int',
    min: 0,
    max: 600_000,
    default: 0,
    help: 'artificial latency per call, for tests and benchmarks',
  },
  {
    flag: 'fault',
    env: 'ARITH_FAULT',
    type: 'string',
    choices: ['none', 'wrong-answer'],
    default: 'none',
    help: 'TEST ONLY: inject a fault (wrong-answer: results off by one)',
  },
  LOG_LEVEL_SPEC,
  { flag: 'help', short: 'h', type: 'boolean', help: 'show this help' },
  { flag: 'version', short: 'v', type: 'boolean', help: 'print the version' },
];

/** NodeCommand is what `arith-node` was asked to do. */
export type NodeCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; options: ArithNodeOptions; logLevel: string };

/** parseNodeCommand turns argv and env into validated node options; throws UsageError when bad. */
export function parseNodeCommand(argv: string[], env: NodeJS.ProcessEnv): NodeCommand {
  const { values: v } = parseOptions(NODE_SPECS, argv, env);
  if (v.help) return { kind: 'help' };
  if (v.version) return { kind: 'version' };
  const bind = v.host as string;
  const wildcard = bind === '0.0.0.0' || bind === '::' || bind === '[::]';
  const advertiseHost = (v['advertise-host'] as string | undefined) ?? (wildcard ? os.hostname() : bind);
  const nodeId = (v.id as string | undefined) ?? defaultNodeId();
  if (!isValidName(nodeId)) {
    throw new UsageError(
      `--id: letters, digits, '.', '_' and '-' only, at most 63 (got ${JSON.stringify(nodeId)})`,
    );
  }
  const etcd = toEtcdOptions(v);
  const tls = toNodeTls(v);
  const peerTls = toPeerTls(v, tls?.clientCa);
  const options: ArithNodeOptions = {
    nodeId,
    host: bind.replace(/^\[(.*)\]$/, '$1'),
    port: v.port as number,
    tcpPort: v['tcp-port'] as number,
    advertiseHost: advertiseHost.replace(/^\[(.*)\]$/, '$1'),
    namespace: v.namespace as string,
    ttlSeconds: v.ttl as number,
    replace: v.replace as boolean,
    weight: v.weight as number,
    maxBodyBytes: v['max-body'] as number,
    maxBatchLength: v['max-batch'] as number,
    requestTimeoutMs: v['request-timeout'] as number,
    drainTimeoutMs: v['drain-timeout'] as number,
    idleTimeoutMs: v['idle-timeout'] as number,
    softMemoryMb: v['soft-memory'] as number,
    maxConnections: v['max-connections'] as number,
    maxPipeline: v['max-pipeline'] as number,
    maxInflight: v['max-inflight'] as number,
    delayMs: v['delay-ms'] as number,
    faultWrongAnswer: v.fault === 'wrong-answer',
    ...(tls ? { tls } : {}),
    ...(peerTls ? { peerTls } : {}),
    worker: !v['no-worker'],
    workerConcurrency: v['worker-concurrency'] as number,
    ...resultsEtcdOf(v, etcd),
    ...(v.standalone ? {} : { etcd }),
  };
  return { kind: 'run', options, logLevel: v['log-level'] as string };
}

function defaultNodeId(): string {
  const name =
    os
      .hostname()
      .replace(/[^A-Za-z0-9.-]/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 48) || 'node';
  return `${name}-${randomBytes(3).toString('hex')}`;
}
