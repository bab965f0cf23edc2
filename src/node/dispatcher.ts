import jayson from 'jayson';
import { encodeResult } from '../arith/encode.js';
import { ArithError } from '../arith/errors.js';
import type { WireMode } from '../arith/integer.js';
import { type ArithLimits, DEFAULT_ARITH_LIMITS } from '../arith/limits.js';
import { ARITH_METHODS } from '../arith/methods.js';
import { errorResponse, type JsonRpcErrorObject, RPC_ERRORS, rpcError } from '../protocol/rpc-errors.js';
import { rejectUnsafeNumbers } from './unsafe-numbers.js';

/** CallContext travels with one request (or batch) through the dispatcher. */
export interface CallContext {
  /** deadline: absolute time (ms since epoch) after which calls answer DEADLINE_EXCEEDED. */
  deadline: number;
  /** deadlineOf: a call's own deadline, by its params object, when its batch carried one per call. */
  deadlineOf?: ((params: unknown) => number | undefined) | undefined;
  /** refusal: when set, every call is answered with this error and none runs (draining, overloaded). */
  refusal?: JsonRpcErrorObject | undefined;
  /** requestId: carried from the client for log correlation, if it sent one. */
  requestId?: string | undefined;
}

/** CallOutcome is what the dispatcher reports for every executed call (for metrics and logs). */
export interface CallOutcome {
  method: string;
  /** outcome: `ok`, or the error condition that answered the call. */
  outcome: 'ok' | 'app_error' | 'invalid_params' | 'deadline' | 'internal';
  ms: number;
}

/** DispatcherOptions tune the Arith dispatcher. */
export interface DispatcherOptions {
  limits?: ArithLimits;
  /** maxBatchLength: longest JSON-RPC batch accepted (default 1,000). */
  maxBatchLength?: number;
  /** delayMs: artificial latency added to every call, for tests and benchmarks (default 0). */
  delayMs?: number;
  /** faultWrongAnswer: TEST ONLY: add 1 to every integer result, to prove verification catches it. */
  faultWrongAnswer?: boolean;
  /** onCall: observer invoked once per executed call. */
  onCall?: (outcome: CallOutcome) => void;
}

type Callback = (err: unknown, result?: unknown) => void;
type Version = 1 | 2;

/**
 * Dispatcher runs Arith calls for both JSON-RPC 2.0 (numbers as JSON, big ones as strings) and
 * JSON-RPC 1.0 (Go's net/rpc/jsonrpc: int64 results as exact numbers, errors as strings), on top of
 * jayson's request validation and batch handling. It never throws: every failure is a response.
 */
export class Dispatcher {
  readonly #v2: jayson.Server;
  readonly #v1: jayson.Server;
  readonly #limits: ArithLimits;
  readonly #delayMs: number;
  readonly #fault: boolean;
  readonly #onCall: ((o: CallOutcome) => void) | undefined;
  readonly #maxBatchLength: number;

  constructor(options: DispatcherOptions = {}) {
    this.#limits = options.limits ?? DEFAULT_ARITH_LIMITS;
    this.#delayMs = options.delayMs ?? 0;
    this.#fault = options.faultWrongAnswer ?? false;
    this.#onCall = options.onCall;
    const methodsFor = (version: Version): Map<string, jayson.Method> => {
      const map = new Map<string, jayson.Method>();
      for (const name of ARITH_METHODS.keys()) {
        const handler = (params: unknown, context: object, callback: Callback): void => {
          this.#run(name, params, context as CallContext, version, callback);
        };
        map.set(name, new jayson.Method(handler as jayson.MethodHandlerContext, { useContext: true }));
      }
      return map;
    };
    const v2Methods = methodsFor(2);
    const v1Methods = methodsFor(1);
    const maxBatchLength = options.maxBatchLength ?? 1000;
    this.#maxBatchLength = maxBatchLength;
    // The router looks names up in a Map, so prototype names (`__proto__`, `toString`) are never methods.
    this.#v2 = new jayson.Server(
      {},
      {
        useContext: true,
        maxBatchLength,
        router: (method) => v2Methods.get(method) as jayson.MethodLike,
      },
    );
    this.#v1 = new jayson.Server(
      {},
      {
        useContext: true,
        version: 1,
        router: (method) => v1Methods.get(method) as jayson.MethodLike,
      },
    );
  }

  /**
   * handle answers one parsed JSON-RPC message (a request object or a batch array). Objects without a
   * `jsonrpc` member are JSON-RPC 1.0. Resolves to the response value (`undefined` when nothing is
   * owed, as for notifications) and whether it must be serialized with exact int64 numbers.
   */
  handle(message: unknown, ctx: CallContext): Promise<{ response: unknown; exactInt64: boolean }> {
    const refuse = (code: number, text: string) =>
      Promise.resolve({ response: errorResponse(null, code, text), exactInt64: false });
    if (message === null || typeof message !== 'object') {
      return refuse(RPC_ERRORS.INVALID_REQUEST, 'Invalid request: expected an object or an array');
    }
    if (Array.isArray(message) && message.length > this.#maxBatchLength) {
      const text = `Invalid request: batch of ${message.length} calls exceeds the limit of ${this.#maxBatchLength}`;
      return refuse(RPC_ERRORS.INVALID_REQUEST, text);
    }
    const isV1 = !Array.isArray(message) && !Object.hasOwn(message, 'jsonrpc');
    const server = isV1 ? this.#v1 : this.#v2;
    return new Promise((resolve) => {
      try {
        server.call(message as jayson.JSONRPCRequest, ctx, (err, res) => {
          const response = err ?? res;
          if (isV1 && response) normalizeV1Error(response as unknown as Record<string, unknown>);
          resolve({ response: response ?? undefined, exactInt64: isV1 });
        });
      } catch {
        // jayson threw synchronously (should not happen); answer rather than crash.
        resolve({
          response: errorResponse(null, RPC_ERRORS.INTERNAL_ERROR, 'Internal error'),
          exactInt64: false,
        });
      }
    });
  }

  #run(name: string, params: unknown, ctx: CallContext, version: Version, callback: Callback): void {
    if (ctx.refusal) {
      callback(version === 1 ? ctx.refusal.message : ctx.refusal);
      return;
    }
    const deadline = ctx.deadlineOf?.(params) ?? ctx.deadline;
    const started = performance.now();
    const finish = (outcome: CallOutcome['outcome'], err: unknown, result?: unknown): void => {
      this.#onCall?.({ method: name, outcome, ms: performance.now() - started });
      callback(err, result);
    };
    const fail = (outcome: CallOutcome['outcome'], error: JsonRpcErrorObject): void => {
      finish(outcome, version === 1 ? error.message : error);
    };
    const compute = (): void => {
      if (Date.now() > deadline) {
        fail('deadline', rpcError(RPC_ERRORS.DEADLINE_EXCEEDED, 'deadline exceeded'));
        return;
      }
      try {
        const method = ARITH_METHODS.get(name)!;
        if (version === 2) rejectUnsafeNumbers(params);
        let result = method(params, this.#limits);
        if (this.#fault)
          result = typeof result === 'bigint' ? result + 1n : { ...result, Quo: result.Quo + 1n };
        finish('ok', null, encodeResult(result, version === 1 ? 'int64' : ('json' satisfies WireMode)));
      } catch (error) {
        if (error instanceof ArithError) {
          const outcome = error.code === RPC_ERRORS.INVALID_PARAMS ? 'invalid_params' : 'app_error';
          fail(outcome, rpcError(error.code, error.message, error.data));
        } else {
          fail('internal', rpcError(RPC_ERRORS.INTERNAL_ERROR, 'Internal error'));
        }
      }
    };
    if (this.#delayMs <= 0) {
      compute();
      return;
    }
    // Decide up front: timers and Date.now() run on different clocks, so a delay that outlasts the
    // deadline must not race it.
    const remaining = deadline - Date.now();
    if (this.#delayMs >= remaining) {
      const expire = (): void =>
        fail('deadline', rpcError(RPC_ERRORS.DEADLINE_EXCEEDED, 'deadline exceeded'));
      setTimeout(expire, Math.max(0, remaining));
      return;
    }
    setTimeout(compute, this.#delayMs);
  }
}

/** Go's net/rpc/jsonrpc client accepts only a string (or null) as `error`. */
function normalizeV1Error(response: Record<string, unknown>): void {
  const error = response.error;
  if (error && typeof error === 'object' && 'message' in error) {
    response.error = String((error as { message: unknown }).message);
  }
  if (response.error !== null && response.error !== undefined) response.result = null;
}
