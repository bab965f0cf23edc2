/**
 * Calls the SDK will not send. The gateway forwards through the SDK, which refuses an empty method
 * name and a number that is not a safe integer (1.5, 2.5e-3: it may have lost digits already) with
 * a TypeError before anything is sent, and refuses it for the whole `callMany` group it is in: one
 * such call, even a notification, would fail every call of its burst -32603. A node answers such a
 * call on its own (-32601, -32602), so the gateway does too, before the call joins a burst.
 */
import { checkMethod, wireCallParams } from '../client/call-args.js';
import { refuseLikeANode } from './deep-params.js';

/** refuseUnsendable throws what a node answers `method(params)` with when the SDK would refuse the call; else returns. */
export function refuseUnsendable(method: string, params: unknown): void {
  let reason: string;
  try {
    checkMethod(method);
    wireCallParams(params);
    return;
  } catch (error) {
    reason = error instanceof Error ? error.message : String(error);
  }
  refuseLikeANode(method, params, reason);
}
