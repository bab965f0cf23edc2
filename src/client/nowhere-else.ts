/**
 * The last node standing: when a call has no node left to go to but the one it is on, giving up
 * there only sends the same call to the same node again, and failing it costs a call that the node
 * may still answer (a GC pause, a stopped process that is continued, a stalled link). So a call
 * whose only node is slow keeps waiting for it, and a call whose connection to its only node went
 * silent goes back to that node, both until the caller's deadline, without counting an attempt.
 */
import type { Picker } from './balance/picker.js';
import { TransportError } from './errors.js';

/**
 * nowhereElse tells whether `picker` has no node to offer outside `tried` and `nodeId`: a retry
 * could only go back to `nodeId` (ejected nodes count: a picker falls back to them).
 */
export function nowhereElse(
  picker: Picker,
  key: string | undefined,
  tried: ReadonlySet<string> | undefined,
  nodeId: string,
): boolean {
  const exclude = new Set(tried);
  exclude.add(nodeId);
  return picker.pick({ key, exclude }) === undefined;
}

/**
 * wentSilent tells whether `error` says the node stopped answering without refusing or resetting
 * (a `timeout` TransportError: silence, an unanswered ping, a slow connect). Each such failure
 * comes after a wait of its own, so going back to the node after one cannot spin.
 */
export function wentSilent(error: unknown): error is TransportError {
  return error instanceof TransportError && error.kind === 'timeout';
}
