/** NAME_PATTERN is what namespaces and node ids may contain: safe in etcd keys, URLs and logs. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** isValidName tells whether a namespace or node id matches NAME_PATTERN. */
export function isValidName(name: string): boolean {
  return NAME_PATTERN.test(name);
}

/** nodesPrefix is the etcd prefix under which every live node of a namespace is registered. */
export function nodesPrefix(namespace: string): string {
  return `/${namespace}/nodes/`;
}

/** nodeKey is the stable etcd key of one node: re-registration replaces it rather than duplicating. */
export function nodeKey(namespace: string, nodeId: string): string {
  return `${nodesPrefix(namespace)}${nodeId}`;
}
