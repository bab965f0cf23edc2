/**
 * Applying a role plan to etcd: roles, grants, users and their roles, each step harmless to repeat;
 * optionally on an etcd whose auth is still off, creating root and turning auth on afterwards.
 */
import { type Etcd3, Range } from 'etcd3';
import { createEtcdClient, type EtcdOptions } from '../../registry/etcd-client.js';
import type { RolePlan } from './role-plan.js';

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

/**
 * applyRoles applies `plan` with the root credentials of `options`. With `enableAuth`, an etcd that
 * answers "authentication is not enabled" gets the plan over an unauthenticated client, then the
 * root user (`options.password`, role root) and `auth enable`; an etcd with auth on already just
 * gets the plan. Resolves true when this call enabled auth.
 */
export async function applyRoles(
  options: EtcdOptions,
  plan: RolePlan,
  passwords: Record<string, string>,
  enableAuth: boolean,
): Promise<boolean> {
  const etcd = createEtcdClient(options);
  try {
    await applyPlan(etcd, plan, passwords);
    return false;
  } catch (error) {
    if (!enableAuth || !/authentication is not enabled/i.test((error as Error).message)) throw error;
  } finally {
    etcd.close();
  }
  const open = createEtcdClient({ ...options, username: undefined, password: undefined });
  try {
    await applyPlan(open, plan, passwords);
    const root = open.user('root');
    if (!(await ignoreExisting(root.create(options.password ?? ''))))
      await root.setPassword(options.password ?? '');
    await root.addRole('root');
    await open.auth.authEnable();
    return true;
  } finally {
    open.close();
  }
}
