import { encodeResult } from '../arith/encode.js';
import { ArithError } from '../arith/errors.js';
import { type ArithLimits, DEFAULT_ARITH_LIMITS } from '../arith/limits.js';
import { ARITH_METHODS } from '../arith/methods.js';
import { type RpcRequest, type RpcVersion, readRequest } from '../protocol/json-rpc-request.js';
import { failureResponse, resultResponse } from '../protocol/json-rpc-response.js';
import { type JsonRpcErrorObject, RPC_ERRORS, rpcError } from '../protocol/rpc-errors.js';
import { sleep } from '../util/backoff.js';
import { wrongAnswer } from './fault-wrong-answer.js';
import { answerMessage, invalidRequest, type MessageAnswer } from './message-answer.js';
import { rejectInexactNumbers } from './unsafe-numbers.js';

/** CallContext travels with one request (or batch) through the dispatcher. */
export interface CallContext {
  /** deadline: absolute time (ms since epoch) after which calls answer DEADLINE_EXCEEDED. */
  deadline: number;
  /** deadlineOf: the own deadline of the batch element at `index`, when its batch carried one per call. */
  deadlineOf?: ((index: number) => number | undefined) | undefined;
  /** refusal: when set, every call is answered with this error and none runs (draining, overloaded). */
  refusal?: JsonRpcErrorObject | undefined;
  /** requestId: carried from the client for log correlation, if it sent one. */
  requestId?: string | undefined;
  /** onReject: told of each request refused before it ran (an invalid request, a batch over the limit). */
  onReject?: ((reason: 'invalid_request' | 'batch_too_large') => void) | undefined;
}

/** CallOutcome is what the dispatcher reports for every executed call (for metrics and logs). */
export interface CallOutcome {
  method: string;
  /** outcome: `ok`, or the error condition that answered the call. */
  outcome: 'ok' | 'app_error' | 'invalid_params' | 'deadline' | 'internal';
  ms: number;
}

/** RpcMethod answers one call with its wire result, or throws (an ArithError is an answer). */
export type RpcMethod = (params: unknown, version: RpcVersion) => unknown;

/** DispatcherOptions tune the Arith dispatcher. */
export interface DispatcherOptions {
  limits?: ArithLimits;
  /** maxBatchLength: longest JSON-RPC batch accepted (default 1,000). */
  maxBatchLength?: number;
  /** delayMs: artificial latency added to every call, for tests and benchmarks (default 0). */
  delayMs?: number;
  /** faultWrongAnswer: TEST ONLY: add 1 to every integer result, to prove verification catches it. */
  faultWrongAnswer?: boolean;
  /** methods: more methods served beside Arith's (e.g. the JSON-RPC specification's examples in tests). */
  methods?: ReadonlyMap<string, RpcMethod>;
  /** onCall: observer invoked once per executed call. */
  onCall?: (outcome: CallOutcome) => void;
}

/** Handled is a message's answer: the response (undefined when nothing is owed) and its writer. */
export type Handled = MessageAnswer;

const internalError = (): JsonRpcErrorObject => rpcError(RPC_ERRORS.INTERNAL_ERROR, 'Internal error');
const deadlineExceeded = (): JsonRpcErrorObject =>
  rpcError(RPC_ERRORS.DEADLINE_EXCEEDED, 'deadline exceeded');

/**
 * Dispatcher answers JSON-RPC 2.0 (numbers as JSON, big ones as strings) and JSON-RPC 1.0 (Go's
 * net/rpc/jsonrpc: int64 results as exact numbers, errors as strings) messages, single or batched,
 * to the letter of the specifications (see json-rpc-request.ts). Every call finishes: `handle`
 * never rejects, and any unexpected failure is answered -32603.
 */
export class Dispatcher {
  readonly #limits: ArithLimits;
  readonly #delayMs: number;
  readonly #onCall: ((o: CallOutcome) => void) | undefined;
  readonly #maxBatchLength: number;
  // A Map, so prototype names (`__proto__`, `toString`) are never methods.
  readonly #methods = new Map<string, RpcMethod>();

  constructor(options: DispatcherOptions = {}) {
    this.#limits = options.limits ?? DEFAULT_ARITH_LIMITS;
    this.#delayMs = options.delayMs ?? 0;
    this.#onCall = options.onCall;
    this.#maxBatchLength = options.maxBatchLength ?? 1000;
    const fault = options.faultWrongAnswer ?? false;
    for (const [name, method] of ARITH_METHODS) {
      this.#methods.set(name, (params, version) => {
        rejectInexactNumbers(params, version);
        let result = method(params, this.#limits);
        if (fault) result = wrongAnswer(result);
        return encodeResult(result, version === 1 ? 'int64' : 'json');
      });
    }
    for (const [name, method] of options.methods ?? []) this.#methods.set(name, method);
  }

  /**
   * handle answers one parsed JSON-RPC message: a request object (without `jsonrpc`: 1.0) or a
   * batch array, whose every element gets its own response (an invalid one -32600), notifications
   * aside. An empty batch or one longer than `maxBatchLength` gets a single -32600 with id null.
   * Without an artificial delay the answer is synchronous; with one, a promise (never rejected).
   */
  handle(message: unknown, ctx: CallContext): Handled | Promise<Handled> {
    return answerMessage(message, ctx, this.#maxBatchLength, (m, c, i) => this.#one(m, c, i));
  }

  /**
   * #one answers one request object (undefined for a notification); it never rejects. Without an
   * artificial delay it answers synchronously: no promise and no microtask per call.
   */
  #one(value: unknown, ctx: CallContext, index: number | undefined): Reply | Promise<Reply> {
    const req = readRequest(value, index !== undefined);
    if (!req.ok) {
      ctx.onReject?.('invalid_request');
      return invalidRequest(req.version, req.id, req.reason);
    }
    const deadline = (index !== undefined && ctx.deadlineOf?.(index)) || ctx.deadline;
    if (this.#delayMs > 0 && !ctx.refusal && this.#methods.has(req.method)) {
      return this.#delayed(req, ctx, deadline);
    }
    return respondTo(req, this.#guarded(req, ctx, performance.now(), deadline - Date.now() >= 0));
  }

  /** #delayed runs a call after the artificial delay, if the delay fits in its deadline. */
  async #delayed(req: RpcRequest, ctx: CallContext, deadline: number): Promise<Reply> {
    const started = performance.now();
    // Decide up front: timers and Date.now() run on different clocks, so a delay that outlasts the
    // deadline must not race it.
    const remaining = deadline - Date.now();
    await sleep(Math.max(0, Math.min(this.#delayMs, remaining)));
    return respondTo(req, this.#guarded(req, ctx, started, this.#delayMs < remaining));
  }

  /** #guarded is #run, with any unexpected failure answered -32603. */
  #guarded(req: RpcRequest, ctx: CallContext, started: number, inTime: boolean): Answer {
    try {
      return this.#run(req, ctx, started, inTime);
    } catch {
      return { error: internalError() };
    }
  }

  /** #run answers a call: refused, unknown method, past its deadline (`inTime` false), or run. */
  #run(req: RpcRequest, ctx: CallContext, started: number, inTime: boolean): Answer {
    if (ctx.refusal) return { error: ctx.refusal };
    const method = this.#methods.get(req.method);
    if (method === undefined) return { error: rpcError(RPC_ERRORS.METHOD_NOT_FOUND, 'Method not found') };
    let outcome: CallOutcome['outcome'] = 'deadline';
    let answer: Answer = { error: deadlineExceeded() };
    if (inTime) {
      try {
        answer = { result: method(req.params, req.version) };
        outcome = 'ok';
      } catch (error) {
        if (error instanceof ArithError) {
          outcome = error.code === RPC_ERRORS.INVALID_PARAMS ? 'invalid_params' : 'app_error';
          answer = { error: rpcError(error.code, error.message, error.data) };
        } else {
          outcome = 'internal';
          answer = { error: internalError() };
        }
      }
    }
    this.#onCall?.({ method: req.method, outcome, ms: performance.now() - started });
    return answer;
  }
}

/** Answer is a call's outcome before it is framed as a response. */
type Answer = { result: unknown } | { error: JsonRpcErrorObject };

/** Reply is one request's response object, or undefined for a notification. */
type Reply = object | undefined;

/** respondTo frames an answer as the request's response (nothing for a notification). */
function respondTo(req: RpcRequest, answer: Answer): Reply {
  if (req.notification) return undefined;
  return 'error' in answer
    ? failureResponse(req.version, req.id, answer.error)
    : resultResponse(req.version, req.id, answer.result);
}
