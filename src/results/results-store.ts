import { checkMethod } from '../client/call-args.js';
import type { CallOptions } from '../client/call-one.js';
import { checkCallOptions } from '../client/call-options.js';
import { type Answer, ClusterError, ResultConflictError } from '../client/errors.js';
import { type Caller, verifiedCall } from '../client/verify-modes.js';
import { checkInt, checkObject, checkOneOf, checkString } from '../util/check-options.js';
import { retryEtcd } from '../util/retry-etcd.js';
import { etcdCall } from './etcd-call.js';
import {
  checkJobId,
  type JobCounts,
  type JobRecord,
  JobWriter,
  type JobWriterHost,
  parseJobRecord,
} from './job-record.js';
import { jobsPrefix, resultsPrefix } from './keys.js';
import { existingKeys } from './put-if-absent.js';
import { prefixEnd, RangeReader } from './range-pages.js';
import { checkKey, deriveKeyFromWire, wireParams } from './result-key.js';
import {
  makeRecord,
  parseResultRecord,
  type ResultRecord,
  VERIFY_MODES,
  type VerifyMode,
} from './result-record.js';
import { type VerifyOptions, type VerifyReport, type VerifyTarget, verifyResults } from './results-verify.js';
import {
  type ResultEvent,
  type ResultsWatch,
  ResultsWatcher,
  type WatchResultsOptions,
} from './results-watch.js';
import { type StoreOutcome, storeMany } from './store-many.js';
import { WriteBatcher } from './write-batcher.js';

/** STORE_ATTEMPTS: tries of a compute's write when etcd fails (safe: the write is put-if-absent). */
const STORE_ATTEMPTS = 3;

/** ResultsHost is what the store needs: the etcd client holding results, the namespace, a logger, and a caller for `compute`. */
export interface ResultsHost extends JobWriterHost {
  readonly caller: Caller;
}

/** ComputeOptions: the call options plus how to verify, and what a disagreeing stored record does. */
export interface ComputeOptions extends CallOptions {
  /** verify: `one` (default), `quorum` or `all`; see VerifyMode. */
  verify?: VerifyMode | undefined;
  /** onConflict: `throw` (default) a ResultConflictError, or `return` the outcome with `agrees: false`. */
  onConflict?: 'throw' | 'return' | undefined;
  /** job: a job id to record in the stored record. */
  job?: string | undefined;
}

/** ComputeOutcome: the record now stored under the key, and whether this call stored it. */
export interface ComputeOutcome {
  /** record: the stored record (ours when `stored`, else the one that was already there). */
  record: ResultRecord;
  stored: boolean;
  /** agrees: the stored record is the same computation with the same answer as ours. */
  agrees: boolean;
  /** computed: the record this call computed (equal to `record` when `stored`). */
  computed: ResultRecord;
  /** dissent: nodes that answered differently (quorum and all modes; never stored). */
  dissent: Answer[];
}

/** CONFLICT_MODES: what `compute` does with a disagreeing stored record. */
const CONFLICT_MODES = ['throw', 'return'] as const;

/** ListOptions: a key prefix (default all), a page size (`limit`: an integer, 1 to 10,000, default 100), where to resume. */
export interface ListOptions {
  prefix?: string | undefined;
  limit?: number | undefined;
  /** after: the `next` of the previous page (list resumes after this key). */
  after?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** ResultPage is one page of records in key order; `next` is set when more follow. */
export interface ResultPage {
  records: ResultRecord[];
  next?: string;
}

/**
 * ResultsStore keeps computed results in etcd exactly once, under `/<namespace>/results/<key>`:
 * `compute` stores with a put-if-absent transaction (the first writer wins; later writers get the
 * stored record and whether it agrees), `get`/`list`/`watch` read, `verify` re-checks locally, and
 * `delete` is the only way a result is removed.
 */
export class ResultsStore {
  readonly #host: ResultsHost;
  readonly #watches = new Set<ResultsWatcher>();
  readonly #writes: WriteBatcher;
  readonly #reader: RangeReader;
  /** prefix is the etcd prefix of this namespace's results, e.g. `/arith/results/`. */
  readonly prefix: string;

  constructor(host: ResultsHost) {
    this.#host = host;
    this.prefix = resultsPrefix(host.namespace);
    this.#writes = new WriteBatcher((records) => storeMany(host.etcd, this.prefix, records));
    this.#reader = new RangeReader(host.etcd);
  }

  /** etcdKey is the full etcd key of a result key. */
  etcdKey(key: string): string {
    return this.prefix + checkKey(key);
  }

  /**
   * compute runs `method(params)` through the cluster (verified as asked) and stores the answer
   * under `key` (or the key derived from method and params when `key` is undefined) if no record is
   * there yet. Application errors (divide by zero) are stored as answers. Writes of calls that
   * store at about the same time share put-if-absent transactions (up to 64 keys); a write that
   * etcd fails is tried up to 3 times (safe: if an earlier try did land, the key is found stored,
   * with the same answer, and the outcome says `stored: false, agrees: true`).
   * @throws ResultConflictError if a stored record disagrees (unless `onConflict: 'return'`);
   * QuorumError when nodes disagree; the call's error on transport failure (nothing is stored).
   */
  async compute(
    key: string | undefined | null,
    method: string,
    params: unknown,
    options: ComputeOptions = {},
  ): Promise<ComputeOutcome> {
    // Every argument is checked before anything is computed or written.
    checkMethod(method);
    const checked = checkCallOptions(options);
    const verify = checkOneOf('verify', checked.verify, VERIFY_MODES) ?? 'one';
    const { verify: _v, onConflict, job, ...callOptions } = checked;
    checkOneOf('onConflict', onConflict, CONFLICT_MODES);
    if (job !== undefined) checkJobId(job);
    const wire = wireParams(method, params);
    const resolved = key == null ? deriveKeyFromWire(method, wire) : checkKey(key);
    const got = await verifiedCall(this.#host.caller, method, wire, verify, callOptions);
    const record = makeRecord({ key: resolved, method, params: wire, verify, job, ...got });
    const put = retryEtcd(() => this.#writes.put(record), this.#host.logger, options.signal, STORE_ATTEMPTS);
    const outcome = await etcdCall(put, options.signal);
    if (!outcome) throw options.signal?.reason ?? new ClusterError('cancelled', false);
    const dissent = got.dissent;
    if (outcome.status === 'stored') return { record, stored: true, agrees: true, computed: record, dissent };
    if (outcome.unreadable) throw this.#unreadable(resolved, outcome.unreadable);
    const { stored } = outcome;
    const agrees = outcome.status === 'agrees';
    if (!agrees && onConflict !== 'return') throw new ResultConflictError(resolved, stored, record);
    return { record: stored, stored: false, agrees, computed: record, dissent };
  }

  /**
   * storeMany stores records computed elsewhere (a bulk job's group) with one storeMany, retried
   * through etcd failures until it succeeds; undefined once `signal` aborts first. Rejects for etcd
   * errors no retry can fix (see isPermanentEtcdError).
   */
  storeMany(records: readonly ResultRecord[], signal?: AbortSignal): Promise<StoreOutcome[] | undefined> {
    const { etcd, logger } = this.#host;
    return retryEtcd(() => storeMany(etcd, this.prefix, records), logger, signal);
  }

  /**
   * findStored reads which of `keys` (result keys) hold a value, retried as storeMany is (a
   * serializable keys-only read; a key stored meanwhile is found by the write's put-if-absent).
   */
  async findStored(keys: readonly string[], signal?: AbortSignal): Promise<Set<string> | undefined> {
    const { etcd, logger } = this.#host;
    const full = keys.map((key) => this.prefix + key);
    const found = await retryEtcd(() => existingKeys(etcd, full), logger, signal);
    return found && new Set([...found].map((key) => key.slice(this.prefix.length)));
  }

  /** jobWriter makes the writer of bulk job `jobId`'s record under `/<namespace>/jobs/`. */
  jobWriter(jobId: string, verify: VerifyMode, counts: () => JobCounts): JobWriter {
    return new JobWriter(this.#host, jobId, verify, counts);
  }

  /** get reads one record (linearizable); undefined when the key holds none. Throws if unreadable. */
  async get(key: string, options: { signal?: AbortSignal } = {}): Promise<ResultRecord | undefined> {
    const text = await etcdCall(this.#host.etcd.get(this.etcdKey(key)).string(), options.signal);
    return text === null ? undefined : this.#parse(key, text);
  }

  /** list returns one page of records in key order under `prefix`; unreadable values are skipped (logged). */
  async list(options: ListOptions = {}): Promise<ResultPage> {
    checkObject('list options', options);
    const prefix = this.prefix + (checkString('prefix', options.prefix, true) ?? '');
    const limit = checkInt('limit', options.limit, 1, 10_000) ?? 100;
    const after = options.after === undefined ? undefined : this.prefix + checkString('after', options.after);
    const from = after !== undefined && after >= prefix ? `${after}\0` : prefix;
    const res = await etcdCall(
      this.#reader.page(Buffer.from(from), prefixEnd(prefix), limit),
      options.signal,
    );
    const records: ResultRecord[] = [];
    for (const kv of res.kvs) {
      const record = parseResultRecord(kv.value.toString('utf8'));
      if (record instanceof Error)
        this.#host.logger.warn({ key: kv.key.toString(), err: record.message }, 'skipping unreadable result');
      else records.push(record);
    }
    const last = res.kvs[res.kvs.length - 1];
    return res.more && last
      ? { records, next: last.key.toString('utf8').slice(this.prefix.length) }
      : { records };
  }

  /**
   * watch calls `listener` for every put and delete under `prefix` (all results when undefined), in
   * revision order, and resolves once the watch is established. Close it with `close()` or the signal.
   */
  async watch(
    prefix: string | undefined,
    listener: (event: ResultEvent) => void,
    options: WatchResultsOptions = {},
  ): Promise<ResultsWatch> {
    const full = this.prefix + (prefix ?? '');
    const { etcd, logger } = this.#host;
    const watcher = new ResultsWatcher(etcd, this.prefix, full, listener, logger, options);
    this.#watches.add(watcher);
    watcher.onClose = () => this.#watches.delete(watcher);
    try {
      await watcher.start();
    } catch (error) {
      await watcher.close();
      throw error;
    }
    return watcher;
  }

  /** delete removes one record; true when there was one. Nothing else in the SDK deletes results. */
  async delete(key: string, options: { signal?: AbortSignal } = {}): Promise<boolean> {
    const res = await etcdCall(this.#host.etcd.delete().key(this.etcdKey(key)).exec(), options.signal);
    return Number(res.deleted) > 0;
  }

  /** verify reads every record under `target.prefix` (or stored by `target.jobId`) and checks it locally. */
  async verify(target: VerifyTarget = {}, options: VerifyOptions = {}): Promise<VerifyReport> {
    checkObject('verify target', target);
    checkObject('verify options', options);
    checkString('prefix', target.prefix, true);
    if (target.jobId !== undefined) checkJobId(target.jobId);
    checkInt('pageSize', options.pageSize, 1, 10_000);
    return await etcdCall(verifyResults(this.#host.etcd, this.prefix, target, options), options.signal);
  }

  /** job reads a bulk job's record from `/<namespace>/jobs/<jobId>`; undefined when there is none. */
  async job(jobId: string, options: { signal?: AbortSignal } = {}): Promise<JobRecord | undefined> {
    const key = jobsPrefix(this.#host.namespace) + checkJobId(jobId);
    const text = await etcdCall(this.#host.etcd.get(key).string(), options.signal);
    if (text === null) return undefined;
    const record = parseJobRecord(text);
    if (record instanceof Error)
      throw new ClusterError(`job ${jobId}: unreadable record (${record.message})`, false);
    return record;
  }

  /** close closes every watch still open (the cluster calls it when it closes). */
  async close(): Promise<void> {
    await Promise.all([...this.#watches].map((w) => w.close()));
  }

  #parse(key: string, text: string): ResultRecord {
    const record = parseResultRecord(text);
    if (record instanceof Error) throw this.#unreadable(key, record);
    return record;
  }

  #unreadable(key: string, problem: Error): ClusterError {
    return new ClusterError(
      `result ${key} holds a value that is not a result record: ${problem.message}`,
      false,
    );
  }
}
