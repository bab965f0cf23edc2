import type { Cluster } from '../../client/cluster.js';
import { parseCallParams } from '../args.js';
import { type Command, openCluster } from '../command.js';
import { ms, showValue, table } from '../format.js';
import { checkedKey } from '../ids.js';
import { UsageError } from '../options.js';

type Mode = { kind: 'one' } | { kind: 'all' } | { kind: 'any' } | { kind: 'quorum'; k: number };

function modeOf(values: Record<string, unknown>): Mode {
  const picked = [values.one, values.all, values.any, values.quorum !== undefined].filter(Boolean).length;
  if (picked > 1) throw new UsageError('choose one of --one, --all, --any, --quorum K');
  if (values.all) return { kind: 'all' };
  if (values.any) return { kind: 'any' };
  if (values.quorum !== undefined) return { kind: 'quorum', k: values.quorum as number };
  return { kind: 'one' };
}

/** `arith call`: one JSON-RPC call through the cluster, exact integers in and out. */
export const callCommand: Command = {
  name: 'call',
  summary: 'call a method on one node, all of them, the fastest, or a quorum',
  usage:
    'arith call <Method> <params-json | integers...> [--one | --all | --any | --quorum K] [--store KEY] [--json]',
  needsEtcd: true,
  specs: [
    { flag: 'one', type: 'boolean', help: 'one node, balanced, with failover (default)' },
    { flag: 'all', type: 'boolean', help: 'every live node at once: a row per node' },
    { flag: 'any', type: 'boolean', help: 'every live node, first answer wins' },
    { flag: 'quorum', type: 'int', min: 1, max: 1000, help: 'K nodes must return the same answer' },
    { flag: 'store', type: 'string', help: 'store the result in etcd under this key, exactly once' },
    {
      flag: 'deadline',
      type: 'int',
      min: 1,
      max: 3_600_000,
      default: 10_000,
      help: 'deadline of the whole call, ms',
    },
  ],
  async run(values, positionals, io, signal) {
    const [method, ...rest] = positionals;
    if (!method) throw new UsageError('missing method, e.g. `arith call Arith.Multiply 7 8`');
    const params = parseCallParams(rest);
    const mode = modeOf(values);
    if (values.store !== undefined) checkedKey(values.store as string, '--store');
    const cluster = await openCluster(values, signal);
    try {
      await cluster.ready({ nodes: 1, signal, timeoutMs: 3_000 }).catch(() => undefined);
      if (values.store !== undefined) return await store(cluster, values, method, params, mode, io);
      const options = { signal, deadlineMs: values.deadline as number };
      if (mode.kind === 'all') {
        const receipts = await cluster.all(method, params, options);
        if (values.json)
          io.out(JSON.stringify(receipts.map((r) => (r.ok ? r : { ...r, error: errorJson(r.error) }))));
        else {
          const rows = receipts.map((r) => [
            r.nodeId,
            r.ok ? showValue(r.result) : `error: ${r.error.message}`,
            ms(r.ms),
          ]);
          io.out(table(['NODE', 'ANSWER', 'TIME'], rows));
        }
        return receipts.every((r) => r.ok) ? 0 : 1;
      }
      const result =
        mode.kind === 'any'
          ? await cluster.any(method, params, options)
          : mode.kind === 'quorum'
            ? await cluster.quorum(method, params, { ...options, k: mode.k })
            : await cluster.call(method, params, options);
      io.out(values.json ? JSON.stringify({ result }) : showValue(result));
      return 0;
    } finally {
      await cluster.close();
    }
  },
};

async function store(
  cluster: Cluster,
  values: Record<string, unknown>,
  method: string,
  params: unknown,
  mode: Mode,
  io: { out(t: string): void },
): Promise<number> {
  if (mode.kind === 'any') throw new UsageError('--store verifies with --one, --quorum or --all, not --any');
  const verify = mode.kind === 'quorum' ? 'quorum' : mode.kind;
  const outcome = await cluster.results.compute(values.store as string, method, params, { verify });
  const r = outcome.record;
  if (values.json) io.out(JSON.stringify(outcome));
  else {
    const answer = r.error ? `error: ${r.error.message}` : showValue(r.result);
    io.out(
      `${answer}\n${outcome.stored ? 'stored' : 'already stored (agrees)'} at ${r.key} (verified: ${r.verify}, nodes: ${r.nodes.join(', ')})`,
    );
  }
  return r.error ? 1 : 0;
}

function errorJson(error: Error): Record<string, unknown> {
  const e = error as Error & { code?: number };
  return { name: e.name, message: e.message, ...(e.code !== undefined ? { code: e.code } : {}) };
}
