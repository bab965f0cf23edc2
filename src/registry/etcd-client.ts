import { readFileSync } from 'node:fs';
import {
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  type IBackoff,
  noop,
} from 'cockatiel';
import { Etcd3, GRPCUnavailableError, type IOptions, isRecoverableError } from 'etcd3';
import { HedgedTries } from './etcd-hedge.js';

/** Pem: a PEM file's path, or its contents. */
export type Pem = string | Buffer;

/** pemOf returns the PEM itself: `pem` when it is a Buffer, else the contents of the file it names. */
export function pemOf(pem: Pem): Buffer {
  return typeof pem === 'string' ? readFileSync(pem) : pem;
}

/** EtcdOptions say how to reach etcd: endpoints, TLS, auth and the deadline of every unary call. */
export interface EtcdOptions {
  /** endpoints: `host:port` or URLs; `https://` is implied when TLS is configured. */
  endpoints: string[];
  /**
   * tls: PEMs, each a file path (read when a client is made) or the PEM itself (a Buffer: the CLI
   * passes what it read and checked); a CA alone verifies the server, cert + key add client authentication.
   */
  tls?: { ca?: Pem | undefined; cert?: Pem | undefined; key?: Pem | undefined } | undefined;
  username?: string | undefined;
  password?: string | undefined;
  /** callTimeoutMs: deadline on every unary etcd call, all its tries together (etcd3 has none by default). Default 5,000. */
  callTimeoutMs?: number | undefined;
  /**
   * attemptTimeoutMs: deadline of one try on one member. With several endpoints, a try that gets no
   * answer soon (a frozen member, a follower whose leader just died) is hedged on another member
   * after 100–250 ms and given up at this deadline, within callTimeoutMs. Default: 1,000 with
   * several endpoints, callTimeoutMs with one.
   */
  attemptTimeoutMs?: number | undefined;
  /** dialTimeoutMs: how long to wait for a connection. Default 3,000. */
  dialTimeoutMs?: number | undefined;
}

/**
 * hedgedTries is the retry policy of a client with several endpoints: a try every hedge delay
 * (100–250 ms, from recent latency) while none answers, up to 4 at once (4 × 250 ms covers the
 * 1 s per-try deadline), the next try at once after a failure, and no try started after all but
 * the last per-try deadline of the call's budget.
 */
function hedgedTries(attemptMs: number, tries: number): HedgedTries {
  return new HedgedTries({
    callMs: attemptMs * (tries - 1),
    minHedgeMs: 100,
    maxHedgeMs: 250,
    maxInFlight: 4,
    retryable: isRecoverableError,
  });
}

/**
 * isUnreachable tells whether an etcd error says the member itself cannot be reached (connection
 * refused, reset, not established), as opposed to an answer from it or a try that ran out of time.
 */
export function isUnreachable(error: unknown): boolean {
  return error instanceof GRPCUnavailableError && !/etcdserver:/.test(error.message);
}

/** normalizeEndpoint turns `host:port` into a URL with the scheme TLS implies. */
export function normalizeEndpoint(endpoint: string, tls: boolean): string {
  const trimmed = endpoint.trim();
  if (/^https?:\/\//.test(trimmed)) return trimmed;
  return `${tls ? 'https' : 'http'}://${trimmed}`;
}

/** EtcdCallTiming is how long a client made by createEtcdClient waits for etcd. */
export interface EtcdCallTiming {
  /** endpoints: how many members the client knows. */
  endpoints: number;
  /** attemptMs: deadline of one try on one member. */
  attemptMs: number;
  /** callMs: the deadline of all tries together, about. */
  callMs: number;
}

const TIMINGS = new WeakMap<Etcd3, EtcdCallTiming>();

/** etcdCallTiming returns the timing createEtcdClient gave `client` (undefined for other clients). */
export function etcdCallTiming(client: Etcd3): EtcdCallTiming | undefined {
  return TIMINGS.get(client);
}

/**
 * createEtcdClient builds an etcd3 client with a deadline on every try of a unary call (each try
 * gets a fresh one: etcd3 resolves `defaultCallOptions` per try) and, with several endpoints,
 * tries on member after member (etcd3 hands each try the next host of a shuffle; no member is
 * pinned): a try unanswered for 100–250 ms gets a hedge on the next member while it keeps
 * waiting, a failed one is followed at once (see HedgedTries). After a leader loss a follower
 * drops the writes it forwarded to the dead leader without an answer, and holds the ones sent
 * while it has no leader until one is elected; so a hedge that reaches a member after it noticed
 * lands as soon as the new leader is up. A circuit breaker per host, half-opening after 1 s,
 * counts only failures to reach that member (a deadline or an etcd answer such as "no leader"
 * says nothing against the member: leaderless followers time out together, and opening all their
 * breakers stalled writes a further second). Watch reconnects are capped at 2 s. A try may run
 * while another of the same call was applied already, so every call must be safe to repeat:
 * every write here is compare-guarded (a duplicate put-if-absent finds the key and stores
 * nothing), a plain put of the same value, or a lease grant (an extra lease expires on its own).
 */
export function createEtcdClient(options: EtcdOptions): Etcd3 {
  const tls = options.tls && (options.tls.ca || options.tls.cert);
  const callTimeoutMs = options.callTimeoutMs ?? 5_000;
  const several = options.endpoints.length > 1;
  const attemptMs = Math.min(callTimeoutMs, options.attemptTimeoutMs ?? (several ? 1_000 : callTimeoutMs));
  const tries = several ? Math.max(2, Math.floor(callTimeoutMs / attemptMs)) : 1;
  const config: IOptions = {
    hosts: options.endpoints.map((e) => normalizeEndpoint(e, Boolean(tls))),
    dialTimeout: options.dialTimeoutMs ?? 3_000,
    // Notice a peer that went silent (no reset) within ~15 s, rather than when the OS gives up.
    grpcOptions: { 'grpc.keepalive_time_ms': 10_000, 'grpc.keepalive_timeout_ms': 5_000 },
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + attemptMs }),
    faultHandling: {
      host: () =>
        circuitBreaker(handleWhen(isUnreachable), {
          halfOpenAfter: 1_000,
          breaker: new ConsecutiveBreaker(3),
        }),
      global: several ? hedgedTries(attemptMs, tries) : noop,
      // etcd3 calls `.next()` on this to get the first delay: a cockatiel backoff factory fits at run time.
      watchBackoff: new ExponentialBackoff({
        initialDelay: 100,
        maxDelay: 2_000,
      }) as unknown as IBackoff<unknown>,
    },
  };
  if (tls && options.tls) {
    config.credentials = {
      // Without a CA file, grpc verifies the server against the system roots (undefined, not empty).
      rootCertificate: (options.tls.ca ? pemOf(options.tls.ca) : undefined) as Buffer,
      ...(options.tls.key ? { privateKey: pemOf(options.tls.key) } : {}),
      ...(options.tls.cert ? { certChain: pemOf(options.tls.cert) } : {}),
    };
  }
  if (options.username !== undefined) {
    config.auth = { username: options.username, password: options.password ?? '' };
  }
  const client = new Etcd3(config);
  TIMINGS.set(client, { endpoints: options.endpoints.length, attemptMs, callMs: attemptMs * tries });
  return client;
}
