import { randomBytes } from 'node:crypto';
import { type Etcd3, Range } from 'etcd3';
import { createEtcdClient } from '../../registry/etcd-client.js';
import type { Command } from '../command.js';
import { toEtcdOptions } from '../etcd-options.js';
import { UsageError } from '../options.js';

/** Grant is one permission of a role on a key prefix (etcd's permission names). */
interface Grant {
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

/** ignoreExisting swallows etcd's "already exists" so that applying a plan twice is harmless. */
async function ignoreExisting(op: Promise<unknown>): Promise<boolean> {
  try {
    await op;
    return true;
  } catch (error) {
    if (/already exist/i.test((error as Error).message)) return false;
    throw error;
  }
}

/** applyPlan creates the plan's roles, grants and users (setting the password of users that exist). */
export async function applyPlan(
  etcd: Etcd3,
  plan: RolePlan,
  passwords: Record<string, string>,
): Promise<void> {
  for (const role of plan.roles) {
    await ignoreExisting(etcd.role(role.name).create());
    for (const g of role.grants)
      await etcd.role(role.name).grant({ permission: g.permission, range: Range.prefix(g.prefix) });
  }
  for (const user of plan.users) {
    const password = passwords[user.name] ?? '';
    if (!(await ignoreExisting(etcd.user(user.name).create(password))))
      await etcd.user(user.name).setPassword(password);
    for (const role of user.roles) await etcd.user(user.name).addRole(role);
  }
}

/** `arith etcd roles`: print (or, with --apply, create) the etcd roles and users of a namespace. */
export const etcdRolesCommand: Command = {
  name: 'etcd',
  summary: 'etcd roles: print (or --apply) the node, worker and client roles and users of a namespace',
  usage: 'arith etcd roles [--namespace NS] [--apply --etcd-user root --etcd-password P]',
  needsEtcd: true,
  specs: [
    {
      flag: 'apply',
      type: 'boolean',
      help: 'create them now (needs root credentials: --etcd-user, --etcd-password)',
    },
    { flag: 'node-user', type: 'string', help: 'the node user and role (default <namespace>-node)' },
    {
      flag: 'worker-user',
      type: 'string',
      help: 'the worker role, and the user with the node and worker roles (default <namespace>-worker)',
    },
    { flag: 'client-user', type: 'string', help: 'the client user and role (default <namespace>-client)' },
    {
      flag: 'node-password',
      env: 'ARITH_NODE_ETCD_PASSWORD',
      type: 'string',
      help: 'node user password (default: random, printed)',
    },
    {
      flag: 'worker-password',
      env: 'ARITH_WORKER_ETCD_PASSWORD',
      type: 'string',
      help: 'worker user password (default: random, printed)',
    },
    {
      flag: 'client-password',
      env: 'ARITH_CLIENT_ETCD_PASSWORD',
      type: 'string',
      help: 'client user password (default: random, printed)',
    },
  ],
  async run(values, positionals, io) {
    if (positionals[0] !== 'roles' || positionals.length > 1)
      throw new UsageError('expected: arith etcd roles');
    const ns = values.namespace as string;
    const plan = rolePlan(ns, {
      node: values['node-user'] as string | undefined,
      worker: values['worker-user'] as string | undefined,
      client: values['client-user'] as string | undefined,
    });
    if (new Set(plan.users.map((u) => u.name)).size !== plan.users.length)
      throw new UsageError('--node-user, --worker-user and --client-user must differ');
    const options = toEtcdOptions(values);
    if (!values.apply) {
      io.out(values.json ? JSON.stringify(plan, null, 2) : etcdctlLines(plan).join('\n'));
      return 0;
    }
    const [nodeUser, workerUser, clientUser] = plan.users.map((u) => u.name) as [string, string, string];
    const given = {
      [nodeUser]: values['node-password'],
      [workerUser]: values['worker-password'],
      [clientUser]: values['client-password'],
    };
    const passwords: Record<string, string> = {};
    for (const [user, pw] of Object.entries(given))
      passwords[user] = (pw as string | undefined) ?? randomBytes(12).toString('base64url');
    const etcd = createEtcdClient(options);
    try {
      await applyPlan(etcd, plan, passwords);
    } finally {
      etcd.close();
    }
    for (const user of plan.users) {
      const shown = given[user.name] === undefined ? ` password ${passwords[user.name]}` : '';
      io.out(`user ${user.name}: role ${user.roles.join(', ')}${shown}`);
    }
    return 0;
  },
};
