import { RPC_ERRORS, rpcError } from '../protocol/rpc-errors.js';
import type { CallContext, Dispatcher } from './dispatcher.js';
import type { RejectReason } from './metrics.js';

/** MessageHandler answers one parsed JSON-RPC message: what a transport needs of the dispatcher. */
export type MessageHandler = Pick<Dispatcher, 'handle'>;

const SHUTTING_DOWN = rpcError(RPC_ERRORS.SHUTTING_DOWN, 'shutting down: retry on another node');

/**
 * Admission decides, node-wide, whether a message's calls run: at most `maxInflight` calls at once
 * (a message that would pass it is answered OVERLOADED, -32003, call by call; one arriving on an
 * idle node always runs, whatever its size), and none once `drain()` was called (SHUTTING_DOWN,
 * -32002). Refused calls are answered at once, with their ids, and never run.
 */
export class Admission {
  readonly #dispatcher: MessageHandler;
  readonly #maxInflight: number;
  readonly #overloaded: ReturnType<typeof rpcError>;
  #calls = 0;
  #draining = false;

  constructor(dispatcher: MessageHandler, maxInflight: number) {
    this.#dispatcher = dispatcher;
    this.#maxInflight = maxInflight;
    this.#overloaded = rpcError(
      RPC_ERRORS.OVERLOADED,
      `overloaded: ${maxInflight} calls in flight; retry on another node`,
    );
  }

  /** inflightCalls is the number of admitted calls not yet answered. */
  get inflightCalls(): number {
    return this.#calls;
  }

  /** drain refuses every call from now on with SHUTTING_DOWN (calls already admitted finish). */
  drain(): void {
    this.#draining = true;
  }

  /** handlerFor is the dispatcher as one transport sees it; each refusal is told to `onReject`. */
  handlerFor(onReject: (reason: RejectReason) => void): MessageHandler {
    return { handle: (message, ctx) => this.#handle(message, ctx, onReject) };
  }

  #handle(message: unknown, ctx: CallContext, onReject: (reason: RejectReason) => void) {
    const calls = Array.isArray(message) ? message.length : 1;
    const over = this.#calls > 0 && this.#calls + calls > this.#maxInflight;
    if (this.#draining || over) {
      onReject(this.#draining ? 'shutting_down' : 'overloaded');
      const refusal = this.#draining ? SHUTTING_DOWN : this.#overloaded;
      return this.#dispatcher.handle(message, { ...ctx, refusal });
    }
    this.#calls += calls;
    let handled: ReturnType<MessageHandler['handle']>;
    try {
      handled = this.#dispatcher.handle(message, ctx);
    } catch (error) {
      this.#calls -= calls;
      throw error;
    }
    if (!(handled instanceof Promise)) {
      this.#calls -= calls; // answered synchronously: no promise per message
      return handled;
    }
    return handled.finally(() => {
      this.#calls -= calls;
    });
  }
}
