import { METHOD_NAMES } from '../arith/methods.js';
import { DeadlineExceededError } from '../client/errors.js';
import type { CallContext, CallOutcome, Handled } from '../node/dispatcher.js';
import { answerMessage, invalidRequest } from '../node/message-answer.js';
import { rejectInexactNumbers } from '../node/unsafe-numbers.js';
import { type RpcRequest, readRequest } from '../protocol/json-rpc-request.js';
import { failureResponse, resultResponse } from '../protocol/json-rpc-response.js';
import type { JsonRpcErrorObject } from '../protocol/rpc-errors.js';
import { CallCoalescer, type ManyCaller } from './call-coalescer.js';
import { MAX_FORWARDED_DEPTH, nestsDeeper, refuseLikeANode } from './deep-params.js';
import { errorAnswer } from './error-answer.js';
import { int64Result } from './int64-result.js';
import { refuseUnsendable } from './unsendable-params.js';

/** Caller is what the handler needs of the SDK: balanced groups of calls with failover (`Cluster.callMany`). */
export type Caller = ManyCaller;

/** ForwardHandlerOptions configure the gateway's message handler. */
export interface ForwardHandlerOptions {
  /** maxBatchLength: longest JSON-RPC batch accepted (default 1,000, as a node). */
  maxBatchLength?: number;
  /** onCall: observer invoked once per forwarded call (metrics). */
  onCall?: (outcome: CallOutcome) => void;
}

type Answer = { result: unknown } | { error: JsonRpcErrorObject };

const KNOWN = new Set(METHOD_NAMES);

/**
 * ForwardHandler answers JSON-RPC messages the way a node's Dispatcher does (the same request
 * rules, batch limits, notifications, 1.0 and 2.0 response shapes), but runs the calls through the
 * SDK with their own deadlines, those of one burst together (CallCoalescer: `caller.callMany`, one
 * node and one batch per burst and deadline; balancing and failover as the SDK does them). A node's
 * error answer comes back unchanged; 1.0 callers get int64 results as exact numbers. Like the
 * dispatcher, `handle` never rejects.
 */
export class ForwardHandler {
  readonly #coalescer: CallCoalescer;
  readonly #maxBatchLength: number;
  readonly #onCall: ((o: CallOutcome) => void) | undefined;

  constructor(caller: Caller, options: ForwardHandlerOptions = {}) {
    this.#coalescer = new CallCoalescer(caller);
    this.#maxBatchLength = options.maxBatchLength ?? 1000;
    this.#onCall = options.onCall;
  }

  /** handle answers one parsed message: a request object or a batch (each element its own answer). */
  handle(message: unknown, ctx: CallContext): Handled | Promise<Handled> {
    return answerMessage(message, ctx, this.#maxBatchLength, (m, c, i) => this.#one(m, c, i));
  }

  /**
   * #one answers one request object: at once when it is invalid, else with one promise that the
   * forwarded call's outcome settles (no async frames in between: a gateway pays per call for each).
   */
  #one(
    value: unknown,
    ctx: CallContext,
    index: number | undefined,
  ): object | undefined | Promise<object | undefined> {
    const req = readRequest(value, index !== undefined);
    if (!req.ok) {
      ctx.onReject?.('invalid_request');
      return invalidRequest(req.version, req.id, req.reason);
    }
    const deadline = (index !== undefined && ctx.deadlineOf?.(index)) || ctx.deadline;
    const respond = (answer: Answer): object | undefined => {
      if (req.notification) return undefined;
      return 'error' in answer
        ? failureResponse(req.version, req.id, answer.error)
        : resultResponse(req.version, req.id, answer.result);
    };
    if (ctx.refusal) return respond({ error: ctx.refusal });
    return new Promise((resolve, reject) =>
      this.#forward(req, deadline, (answer) => {
        try {
          resolve(respond(answer));
        } catch (error) {
          reject(error); // answered -32603 by answerMessage
        }
      }),
    );
  }

  /** #forward sends one call through the coalescer and tells `done` its answer, exactly once. */
  #forward(req: RpcRequest, deadline: number, done: (answer: Answer) => void): void {
    const started = performance.now();
    const finish = (answer: Answer, outcome: CallOutcome['outcome']): void => {
      const method = KNOWN.has(req.method) ? req.method : 'unknown';
      try {
        this.#onCall?.({ method, outcome, ms: performance.now() - started });
      } catch {
        // An observer that throws must not leave the call unanswered.
      }
      done(answer);
    };
    const failed = (error: unknown): void => {
      const { error: rpc, outcome } = errorAnswer(error);
      finish({ error: rpc }, outcome);
    };
    try {
      // A node refuses these; the SDK would turn a 2.0 bigint into a decimal string and let it pass.
      rejectInexactNumbers(req.params, req.version);
      if (nestsDeeper(req.params, MAX_FORWARDED_DEPTH)) refuseLikeANode(req.method, req.params);
      refuseUnsendable(req.method, req.params);
      if (deadline - Date.now() <= 0) throw new DeadlineExceededError(0);
    } catch (error) {
      failed(error);
      return;
    }
    this.#coalescer.call(req.method, req.params, deadline, (sent) => {
      if (!sent.ok) {
        failed(sent.error);
        return;
      }
      let result: unknown;
      try {
        result = req.version === 1 ? int64Result(sent.result) : sent.result;
      } catch (error) {
        failed(error);
        return;
      }
      finish({ result }, 'ok');
    });
  }
}
