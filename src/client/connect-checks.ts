/**
 * checkConnectOptions: every `connect()` option checked before anything is opened, so that a bad
 * value is a TypeError or RangeError naming the option, not a failure later (or never).
 */
import type { EtcdOptions } from '../registry/etcd-client.js';
import { isValidName, NAME_PATTERN } from '../registry/keys.js';
import {
  checkInt,
  checkMs,
  checkObject,
  checkOneOf,
  checkSignal,
  checkString,
  show,
} from '../util/check-options.js';
import { RetryBudget } from '../util/retry-budget.js';
import type { ConnectOptions } from './connect-options.js';

const TRANSPORTS = ['tcp', 'http'] as const;

/**
 * checkConnectOptions validates `options` and returns them with millisecond options clamped to
 * 2^31 - 1 (Infinity included; see CallOptions). Balancer names are checked by `pickerBuilder`.
 * @throws TypeError / RangeError naming the option.
 */
export function checkConnectOptions(options: ConnectOptions): ConnectOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(
      `connect options must be an object with at least { etcd: ['host:port'] }, got ${show(options)}`,
    );
  }
  const etcd = checkEtcd('etcd', options.etcd, true);
  const resultsEtcd = checkEtcd('resultsEtcd', options.resultsEtcd, false);
  const namespace = checkString('namespace', options.namespace);
  if (namespace !== undefined && !isValidName(namespace)) {
    throw new TypeError(
      `namespace must match ${NAME_PATTERN} (letters, digits, '.', '_', '-'), got ${show(namespace)}`,
    );
  }
  checkOneOf('transport', options.transport, TRANSPORTS);
  checkInt('connectionsPerNode', options.connectionsPerNode, 1, 1024);
  checkInt('attempts', options.attempts, 1);
  checkBatching(options.batching);
  if (
    options.etcdQuotaBytes !== undefined &&
    !(typeof options.etcdQuotaBytes === 'number' && options.etcdQuotaBytes > 0)
  ) {
    throw new RangeError(`etcdQuotaBytes must be a number > 0, got ${show(options.etcdQuotaBytes)}`);
  }
  const t = options.spaceThreshold;
  if (t !== undefined && !(typeof t === 'number' && t > 0 && t <= 1)) {
    throw new RangeError(`spaceThreshold must be a number in (0, 1], got ${show(t)}`);
  }
  checkObject('retryBudget', options.retryBudget);
  new RetryBudget(options.retryBudget); // throws a RangeError on bad figures
  if (options.excludeNodes !== undefined && !Array.isArray(options.excludeNodes)) {
    throw new TypeError(`excludeNodes must be an array of node ids, got ${show(options.excludeNodes)}`);
  }
  checkSignal('signal', options.signal);
  return {
    ...options,
    etcd,
    resultsEtcd,
    deadlineMs: checkMs('deadlineMs', options.deadlineMs),
    attemptTimeoutMs: checkMs('attemptTimeoutMs', options.attemptTimeoutMs),
    hedgeMs: checkMs('hedgeMs', options.hedgeMs),
    connectTimeoutMs: checkMs('connectTimeoutMs', options.connectTimeoutMs),
  } as ConnectOptions;
}

/** checkEtcd: endpoints (a non-empty array of strings) or EtcdOptions with such `endpoints`. */
function checkEtcd<E extends ConnectOptions['resultsEtcd']>(name: string, etcd: E, required: boolean): E {
  if (etcd === undefined && !required) return etcd;
  const endpoints = Array.isArray(etcd) ? etcd : (etcd as EtcdOptions | null | undefined)?.endpoints;
  const shape = `an array of 'host:port' endpoints or { endpoints: [...] }`;
  if (typeof etcd === 'string') {
    throw new TypeError(`${name} must be ${shape}, got a string: write [${JSON.stringify(etcd)}]`);
  }
  if (etcd === null || typeof etcd !== 'object' || !Array.isArray(endpoints)) {
    throw new TypeError(`${name} must be ${shape}, got ${show(etcd)}`);
  }
  if (endpoints.length === 0) throw new RangeError(`${name} must name at least one endpoint`);
  for (const [i, e] of endpoints.entries()) {
    if (typeof e !== 'string' || e.trim() === '') {
      throw new TypeError(`${name} endpoint ${i} must be a non-empty string, got ${show(e)}`);
    }
  }
  if (Array.isArray(etcd)) return etcd;
  const o = etcd as EtcdOptions;
  return {
    ...o,
    callTimeoutMs: checkMs(`${name}.callTimeoutMs`, o.callTimeoutMs),
    attemptTimeoutMs: checkMs(`${name}.attemptTimeoutMs`, o.attemptTimeoutMs),
    dialTimeoutMs: checkMs(`${name}.dialTimeoutMs`, o.dialTimeoutMs),
  } as E;
}

function checkBatching(batching: unknown): void {
  if (batching === undefined || typeof batching === 'boolean') return;
  if (batching === null || typeof batching !== 'object') {
    throw new TypeError(`batching must be a boolean or { maxBatch }, got ${show(batching)}`);
  }
  checkInt('batching.maxBatch', (batching as { maxBatch?: unknown }).maxBatch, 1, 1000);
}
