import { readFileSync } from 'node:fs';
import {
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  type IBackoff,
  noop,
  retry,
} from 'cockatiel';
import { Etcd3, type IOptions, isRecoverableError } from 'etcd3';

/** EtcdOptions say how to reach etcd: endpoints, TLS, auth and the deadline of every unary call. */
export interface EtcdOptions {
  /** endpoints: `host:port` or URLs; `https://` is implied when TLS is configured. */
  endpoints: string[];
  /** tls: PEM file paths; a CA alone verifies the server, cert + key add client authentication. */
  tls?: { ca?: string | undefined; cert?: string | undefined; key?: string | undefined } | undefined;
  username?: string | undefined;
  password?: string | undefined;
  /** callTimeoutMs: deadline on every unary etcd call, all its tries together (etcd3 has none by default). Default 5,000. */
  callTimeoutMs?: number | undefined;
  /**
   * attemptTimeoutMs: deadline of one try on one member. With several endpoints, a try that gets no
   * answer in time (a frozen member, a follower whose leader just died) is retried on another member
   * within callTimeoutMs. Default: 1,000 with several endpoints, callTimeoutMs with one.
   */
  attemptTimeoutMs?: number | undefined;
  /** dialTimeoutMs: how long to wait for a connection. Default 3,000. */
  dialTimeoutMs?: number | undefined;
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
 * createEtcdClient builds an etcd3 client with a deadline on every try of a unary call (each retry
 * gets a fresh one: etcd3 resolves `defaultCallOptions` per try), a circuit breaker per host that
 * half-opens after 1 s (etcd3's default keeps a blinking single member closed for 5 s), retries
 * on another host for recoverable errors only (unavailable, deadline exceeded: etcd3 picks the next
 * host of a shuffle on each retry) as many times as fit in callTimeoutMs, and watch reconnects
 * capped at 2 s. A retried write must be safe to repeat: every write here is compare-guarded,
 * a plain put of the same value, or a lease grant (an extra lease expires on its own).
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
        circuitBreaker(handleWhen(isRecoverableError), {
          halfOpenAfter: 1_000,
          breaker: new ConsecutiveBreaker(3),
        }),
      global: several
        ? retry(handleWhen(isRecoverableError), {
            maxAttempts: tries - 1, // cockatiel counts retries, not tries
            backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 500 }),
          })
        : noop,
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
      rootCertificate: (options.tls.ca ? readFileSync(options.tls.ca) : undefined) as Buffer,
      ...(options.tls.key ? { privateKey: readFileSync(options.tls.key) } : {}),
      ...(options.tls.cert ? { certChain: readFileSync(options.tls.cert) } : {}),
    };
  }
  if (options.username !== undefined) {
    config.auth = { username: options.username, password: options.password ?? '' };
  }
  const client = new Etcd3(config);
  TIMINGS.set(client, { endpoints: options.endpoints.length, attemptMs, callMs: attemptMs * tries });
  return client;
}
