/**
 * The fuzz oracle: for the bytes of one message, which answer JSON-RPC (2.0 and 1.0, as the README's
 * node endpoints describe) owes, written independently of the node's code from the specification;
 * and a check of the answer a node gave against it.
 */
import { MAX_JSON_DEPTH } from '../../src/protocol/json-scan.js';

/** Owed is one response the message is owed: its id and, when the spec fixes it, its error code. */
export interface Owed {
  id: unknown;
  version: 1 | 2;
  code?: number[];
}

/** Expectation: nothing (notifications), one response, or a batch of responses (any order). */
export type Expectation = { kind: 'none' } | { kind: 'single'; owed: Owed } | { kind: 'batch'; owed: Owed[] };

const MAX_BATCH = 1000;
const refused = (code: number[]): Expectation => ({ kind: 'single', owed: { id: null, version: 2, code } });
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function depthOf(root: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    max = Math.max(max, d + 1);
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

/** expect returns what `bytes` is owed over `transport` (TCP: a line, its deadline note honoured). */
export function expectation(bytes: Buffer, transport: 'http' | 'tcp', maxBytes: number): Expectation {
  if (bytes.length > maxBytes) return refused([-32600]);
  let text = bytes.toString('utf8');
  if (transport === 'tcp' && text.endsWith('\r')) text = text.slice(0, -1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return refused([-32700, -32600]); // invalid JSON; -32600 when it also nests past the bound
  }
  if (depthOf(value) > MAX_JSON_DEPTH) return refused([-32600]);
  if (transport === 'tcp' && Array.isArray(value) && value.length >= 2) {
    const head = value[0] as Record<string, unknown>;
    if (isObject(head) && head.method === 'rpc.deadline' && !Object.hasOwn(head, 'id'))
      value = value.slice(1);
  }
  if (!Array.isArray(value)) {
    if (isObject(value) && !Object.hasOwn(value, 'jsonrpc')) {
      return { kind: 'single', owed: { id: Object.hasOwn(value, 'id') ? value.id : null, version: 1 } };
    }
    const owed = element(value);
    return owed ? { kind: 'single', owed } : { kind: 'none' };
  }
  if (value.length === 0 || value.length > MAX_BATCH) return refused([-32600]);
  const owed = value.map(element).filter((o): o is Owed => o !== undefined);
  return owed.length === 0 ? { kind: 'none' } : { kind: 'batch', owed };
}

/** element: the response a 2.0 request object is owed (undefined for a notification). */
function element(v: unknown): Owed | undefined {
  if (!isObject(v)) return { id: null, version: 2, code: [-32600] };
  const hasId = Object.hasOwn(v, 'id');
  const id = v.id;
  if (hasId && !(id === null || typeof id === 'string' || typeof id === 'number')) {
    return { id: null, version: 2, code: [-32600] };
  }
  const params = v.params;
  const valid =
    v.jsonrpc === '2.0' &&
    typeof v.method === 'string' &&
    (params === undefined || (typeof params === 'object' && params !== null));
  if (!valid) return { id: hasId ? id : null, version: 2, code: [-32600] };
  return hasId ? { id, version: 2 } : undefined;
}

/** sameJson compares parsed JSON values; numbers by Object.is, so `-0` and `0` differ. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && sameJson((a as never)[k], (b as never)[k]));
}

/** problem returns why `r` is not a valid response for `owed`, or undefined when it is. */
function problem(r: unknown, owed: Owed): string | undefined {
  if (!isObject(r)) return 'response is not an object';
  if (!sameJson(r.id, owed.id)) return `id ${JSON.stringify(r.id)} instead of ${JSON.stringify(owed.id)}`;
  if (owed.version === 1) {
    if (!('result' in r) || !('error' in r)) return '1.0 response without result or error';
    if (r.error !== null && (typeof r.error !== 'string' || r.result !== null)) return 'bad 1.0 error';
    if (typeof r.error === 'string' && r.error.length > 1_000) return 'error message over 1,000 characters';
    return undefined;
  }
  if (r.jsonrpc !== '2.0') return 'jsonrpc is not "2.0"';
  if ('result' in r === 'error' in r) return 'not exactly one of result and error';
  if (!('error' in r)) return owed.code ? `result where error ${owed.code.join('/')} is owed` : undefined;
  const e = r.error as { code?: unknown; message?: unknown };
  if (!isObject(e) || !Number.isInteger(e.code) || typeof e.message !== 'string')
    return 'malformed error object';
  if (e.message.length > 1_000) return 'error message over 1,000 characters';
  if (owed.code && !owed.code.includes(e.code as number))
    return `error ${e.code} instead of ${owed.code.join('/')}`;
  return undefined;
}

/** check returns why `text` (undefined: nothing was answered) does not meet `want`, or undefined. */
export function check(want: Expectation, text: string | undefined): string | undefined {
  if (want.kind === 'none')
    return text === undefined ? undefined : `answered a notification: ${text.slice(0, 200)}`;
  if (text === undefined) return 'no answer';
  let got: unknown;
  try {
    got = JSON.parse(text);
  } catch {
    return `answer is not JSON: ${text.slice(0, 200)}`;
  }
  if (want.kind === 'single')
    return Array.isArray(got) ? 'batch answer to a single request' : problem(got, want.owed);
  if (!Array.isArray(got))
    return problem(got, { id: null, version: 2, code: [-32600, -32603] }) ?? 'single answer to a batch';
  if (got.length !== want.owed.length) return `${got.length} responses for ${want.owed.length} owed`;
  const left = [...got];
  for (const owed of want.owed) {
    const at = left.findIndex((r) => problem(r, owed) === undefined);
    if (at === -1) return `no valid response for id ${JSON.stringify(owed.id)}: ${problem(left[0], owed)}`;
    left.splice(at, 1);
  }
  return undefined;
}
