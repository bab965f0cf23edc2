import { z } from 'zod';
import { parseJsonWith } from '../util/parse-json.js';
import type { NodeInfo } from './types.js';

/** tcpEndpoint: `host:port`, or `tls://host:port` for a node that serves TLS (see Endpoints). */
const tcpEndpoint = /^(tls:\/\/)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/;

/** NodeInfoSchema validates a registry value (schema version 1); unknown extra members are dropped. */
export const NodeInfoSchema = z.object({
  v: z.literal(1),
  id: z.string().min(1).max(63),
  endpoints: z.object({
    http: z.url({ protocol: /^https?$/ }),
    tcp: z.string().regex(tcpEndpoint),
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
  return parseJsonWith<NodeInfo>(NodeInfoSchema, text, 'NodeInfo');
}
