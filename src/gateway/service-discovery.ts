import type { ServerResponse } from 'node:http';
import type { NodeInfo } from '../registry/types.js';

/** SdTargetGroup is one entry of Prometheus `http_sd_config` JSON. */
export interface SdTargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

/**
 * sdTargets lists one Prometheus target group per live node: its metrics endpoint (the host:port
 * of its HTTP listener, which serves `/metrics`) labelled `__meta_arith_node_id`,
 * `__meta_arith_namespace` and `__meta_arith_version` for relabelling. A node whose HTTP endpoint
 * is not a URL is left out. Sorted by node id; `[]` when there is none.
 */
export function sdTargets(nodes: readonly NodeInfo[], namespace: string): SdTargetGroup[] {
  const groups: SdTargetGroup[] = [];
  for (const node of [...nodes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const target = hostPort(node.endpoints.http);
    if (target === undefined) continue;
    groups.push({
      targets: [target],
      labels: {
        __meta_arith_node_id: node.id,
        __meta_arith_namespace: namespace,
        __meta_arith_version: node.version,
      },
    });
  }
  return groups;
}

/** serveSd writes the target list as `http_sd_config` expects it (200, application/json). */
export function serveSd(res: ServerResponse, nodes: readonly NodeInfo[], namespace: string): void {
  const body = JSON.stringify(sdTargets(nodes, namespace));
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function hostPort(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.port ? u.host : undefined;
  } catch {
    return undefined;
  }
}
