/** The etcd roles and users of a namespace, as data and as the etcdctl commands that make them. */

/** Grant is one permission of a role on a key prefix (etcd's permission names). */
export interface Grant {
  permission: 'Read' | 'Write' | 'Readwrite';
  prefix: string;
}

/** RolePlan is the roles and users `arith etcd roles` creates for one namespace. */
export interface RolePlan {
  roles: { name: string; grants: Grant[] }[];
  /** users: each with the roles it is granted (a user of the same name as a role gets that role). */
  users: { name: string; roles: string[] }[];
}

/** RoleUsers names the node, worker and client users (and roles) of a plan. */
export interface RoleUsers {
  node?: string | undefined;
  worker?: string | undefined;
  client?: string | undefined;
}

/**
 * rolePlan lists the roles and users of namespace `ns`:
 * - `node` (`<ns>-node`): readwrite on `/<ns>/nodes/` and nothing else. A node writes its key there
 *   and watches it; etcd 3.4 needs no permission to grant or keep alive a lease, and checks a put
 *   with a lease against the key alone. A node started with `--no-worker` needs only this.
 * - `worker` (`<ns>-worker`): what a node's queue worker adds: readwrite on `/<ns>/queue/` (list and
 *   watch chunks, claim, ack, tally), `/<ns>/results/` (put-if-absent and read back) and
 *   `/<ns>/jobs/` (finish the job record). The `<ns>-worker` user has the node and worker roles:
 *   the node runs its worker on its one etcd client, so one set of credentials carries both, while
 *   the node user stays unable to write results.
 * - `client` (`<ns>-client`): read `/<ns>/nodes/`, readwrite `/<ns>/results/`, `/<ns>/jobs/` and
 *   `/<ns>/queue/` (submit, follow and cancel queued jobs).
 */
export function rolePlan(ns: string, names: RoleUsers = {}): RolePlan {
  const p = (sub: string) => `/${ns}/${sub}/`;
  const node = names.node ?? `${ns}-node`;
  const worker = names.worker ?? `${ns}-worker`;
  const client = names.client ?? `${ns}-client`;
  return {
    roles: [
      { name: node, grants: [{ permission: 'Readwrite', prefix: p('nodes') }] },
      {
        name: worker,
        grants: [
          { permission: 'Readwrite', prefix: p('queue') },
          { permission: 'Readwrite', prefix: p('results') },
          { permission: 'Readwrite', prefix: p('jobs') },
        ],
      },
      {
        name: client,
        grants: [
          { permission: 'Read', prefix: p('nodes') },
          { permission: 'Readwrite', prefix: p('results') },
          { permission: 'Readwrite', prefix: p('jobs') },
          { permission: 'Readwrite', prefix: p('queue') },
        ],
      },
    ],
    users: [
      { name: node, roles: [node] },
      { name: worker, roles: [node, worker] },
      { name: client, roles: [client] },
    ],
  };
}

/** passwordEnv is the shell variable etcdctlLines reads a user's password from (`NS_NODE_PASSWORD`). */
export function passwordEnv(user: string): string {
  return `${user.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}_PASSWORD`;
}

/** etcdctlLines renders a plan as the etcdctl commands an operator runs (root credentials in ETCDCTL_USER). */
export function etcdctlLines(plan: RolePlan): string[] {
  const lines = ['# as root: export ETCDCTL_USER=root:<password> (and ETCDCTL_ENDPOINTS)'];
  for (const role of plan.roles) {
    lines.push(`etcdctl role add ${role.name}`);
    for (const g of role.grants) {
      lines.push(
        `etcdctl role grant-permission ${role.name} --prefix=true ${g.permission.toLowerCase()} ${g.prefix}`,
      );
    }
  }
  for (const user of plan.users) {
    lines.push(`etcdctl user add "${user.name}:$${passwordEnv(user.name)}"`);
    for (const role of user.roles) lines.push(`etcdctl user grant-role ${user.name} ${role}`);
  }
  lines.push(
    '# with etcd --client-cert-auth, a client certificate whose CN is a user name logs in as that user (no password sent)',
    '# once a root user exists (etcdctl user add root; etcdctl user grant-role root root): etcdctl auth enable',
  );
  return lines;
}
