import { randomBytes } from 'node:crypto';
import type { Command } from '../command.js';
import { toEtcdOptions } from '../etcd-options.js';
import { UsageError } from '../options.js';
import { applyRoles } from './etcd-roles-apply.js';
import { etcdctlLines, rolePlan } from './role-plan.js';

/** `arith etcd roles`: print (or, with --apply, create) the etcd roles and users of a namespace. */
export const etcdRolesCommand: Command = {
  name: 'etcd',
  summary: 'etcd roles: print (or --apply) the node, worker and client roles and users of a namespace',
  usage: 'arith etcd roles [--namespace NS] [--apply --etcd-user root --etcd-password P [--enable-auth]]',
  needsEtcd: true,
  specs: [
    {
      flag: 'apply',
      type: 'boolean',
      help: 'create them now (needs root credentials: --etcd-user, --etcd-password)',
    },
    {
      flag: 'enable-auth',
      type: 'boolean',
      help: 'with --apply on an etcd whose auth is off: create root (--etcd-password), apply, then enable auth',
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
    if (
      values['enable-auth'] &&
      (!values.apply || values['etcd-user'] !== 'root' || !values['etcd-password'])
    )
      throw new UsageError('--enable-auth goes with --apply --etcd-user root --etcd-password P');
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
    const enabled = await applyRoles(options, plan, passwords, Boolean(values['enable-auth']));
    if (enabled) io.out(`auth enabled (root user ${options.username})`);
    for (const user of plan.users) {
      const shown = given[user.name] === undefined ? ` password ${passwords[user.name]}` : '';
      io.out(`user ${user.name}: role ${user.roles.join(', ')}${shown}`);
    }
    return 0;
  },
};
