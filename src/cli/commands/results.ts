import { stringifyExact } from '../../protocol/exact-json.js';
import { type Command, openCluster } from '../command.js';
import { showValue, table } from '../format.js';
import { checkedJobId, checkedKey } from '../ids.js';
import { UsageError } from '../options.js';

/** `arith results get|list|verify`: read stored results and check them against a local computation. */
export const resultsCommand: Command = {
  name: 'results',
  summary: 'read stored results (get KEY, list) and verify them (verify [--job ID])',
  usage: 'arith results get KEY | list [--prefix P] [--limit N] | verify [--job ID | --prefix P]',
  needsEtcd: true,
  specs: [
    { flag: 'prefix', type: 'string', help: 'key prefix (list, verify)' },
    { flag: 'limit', type: 'int', min: 1, max: 10_000, default: 100, help: 'most records to list' },
    { flag: 'after', type: 'string', help: 'list resumes after this key (the previous page’s last)' },
    { flag: 'job', type: 'string', help: 'verify the results this job stored' },
  ],
  async run(values, positionals, io, signal) {
    const [sub, key, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra[0]}`);
    if (sub !== 'get' && sub !== 'list' && sub !== 'verify')
      throw new UsageError('expected get, list or verify');
    if (sub === 'get' && !key) throw new UsageError('results get needs a KEY');
    if (sub !== 'get' && key) throw new UsageError(`unexpected argument: ${key}`);
    if (sub === 'get') checkedKey(key!, 'results get KEY');
    if (sub === 'verify' && values.job !== undefined) checkedJobId(values.job as string);
    const cluster = await openCluster(values, signal);
    try {
      if (sub === 'get') {
        const record = await cluster.results.get(key!, { signal });
        if (!record) {
          io.err(`no result stored at ${key}`);
          return 1;
        }
        io.out(values.json ? stringifyExact(record) : JSON.stringify(record, null, 2));
        return 0;
      }
      if (sub === 'list') {
        const page = await cluster.results.list({
          prefix: values.prefix as string | undefined,
          limit: values.limit as number,
          after: values.after as string | undefined,
          signal,
        });
        if (values.json) io.out(JSON.stringify(page));
        else {
          const rows = page.records.map((r) => [
            r.key,
            r.error ? `error: ${r.error.message}` : showValue(r.result),
            r.verify,
            r.nodes.join(','),
            r.storedAt,
          ]);
          io.out(rows.length ? table(['KEY', 'ANSWER', 'VERIFY', 'NODES', 'STORED'], rows) : 'no results');
          if (page.next)
            io.err(
              `more: arith results list --after '${page.next}'${values.prefix ? ` --prefix '${values.prefix}'` : ''}`,
            );
        }
        return 0;
      }
      if (values.job !== undefined && !(await cluster.results.job(values.job as string, { signal }))) {
        io.err(`no such job: ${values.job as string} (no record under /${values.namespace as string}/jobs/)`);
        return 1;
      }
      const target = values.job
        ? { jobId: values.job as string }
        : { prefix: (values.prefix as string | undefined) ?? '' };
      const report = await cluster.results.verify(target, { signal });
      if (values.json) io.out(stringifyExact(report));
      else {
        io.out(
          `checked ${report.checked} results in ${report.seconds.toFixed(1)} s: ${report.mismatches.length} mismatches, ${report.unreadable.length} unreadable, ${report.unverifiable} not verifiable here`,
        );
        for (const m of report.mismatches.slice(0, 10))
          io.err(
            `  mismatch ${m.key}: stored ${stringifyExact(m.stored.result ?? m.stored.error)}, expected ${stringifyExact(m.expected)}`,
          );
      }
      return report.mismatches.length === 0 && report.unreadable.length === 0 ? 0 : 1;
    } finally {
      await cluster.close();
    }
  },
};
