import { z } from 'zod';
import type { NodeInfo } from './types.js';

const hostPort = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/;

/** NodeInfoSchema validates a registry value (schema version 1); unknown extra members are dropped. */
export const NodeInfoSchema = z.object({
  v: z.literal(1),
  id: z.string().min(1).max(63),
  endpoints: z.object({
    http: z.url({ protocol: /^https?$/ }),
    tcp: z.string().regex(hostPort),
  }),
  methods: z.array(z.string()).max(1000),
  weight: z.number().positive().max(1_000_000),
  version: z.string().max(64),
  startedAt: z.string().max(64),
  pid: z.number().int().nonnegative(),
  hostname: z.string().max(255),
});

/**
 * parseNodeInfo decodes and validates a registry value. Returns the NodeInfo, or an Error saying
 * why the value is not one (readers skip such values and log once).
 */
export function parseNodeInfo(text: string): NodeInfo | Error {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return new Error('not JSON');
  }
  const parsed = NodeInfoSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return new Error(issue ? `${issue.path.join('.') || 'value'}: ${issue.message}` : 'invalid NodeInfo');
  }
  return parsed.data as NodeInfo;
}
