import { describe, expect, it } from 'vitest';
import { etcdctlLines, passwordEnv, rolePlan } from '../../src/cli/commands/role-plan.js';
import { workerDeniedMessage } from '../../src/node/queue-worker-denied.js';

const grantsOf = (plan: ReturnType<typeof rolePlan>, role: string) =>
  plan.roles.find((r) => r.name === role)?.grants.map((g) => `${g.permission} ${g.prefix}`);

describe('rolePlan', () => {
  const plan = rolePlan('ns');

  it('gives the node role readwrite on its nodes prefix only', () => {
    expect(grantsOf(plan, 'ns-node')).toEqual(['Readwrite /ns/nodes/']);
  });

  it('gives the worker role exactly the queue, results and jobs prefixes a queue worker writes', () => {
    expect(grantsOf(plan, 'ns-worker')).toEqual([
      'Readwrite /ns/queue/',
      'Readwrite /ns/results/',
      'Readwrite /ns/jobs/',
    ]);
  });

  it('gives the client read on nodes and readwrite on results, jobs and the queue, never write on nodes', () => {
    expect(grantsOf(plan, 'ns-client')).toEqual([
      'Read /ns/nodes/',
      'Readwrite /ns/results/',
      'Readwrite /ns/jobs/',
      'Readwrite /ns/queue/',
    ]);
  });

  it('makes a worker user with the node and worker roles; the node user alone cannot touch results', () => {
    expect(plan.users).toEqual([
      { name: 'ns-node', roles: ['ns-node'] },
      { name: 'ns-worker', roles: ['ns-node', 'ns-worker'] },
      { name: 'ns-client', roles: ['ns-client'] },
    ]);
  });

  it('takes other user names', () => {
    const named = rolePlan('ns', { node: 'n', worker: 'w', client: 'c' });
    expect(named.users.map((u) => [u.name, u.roles])).toEqual([
      ['n', ['n']],
      ['w', ['n', 'w']],
      ['c', ['c']],
    ]);
  });
});

describe('etcdctlLines', () => {
  const lines = etcdctlLines(rolePlan('ns'));

  it('grants every permission of every role, the worker role included', () => {
    expect(lines).toContain('etcdctl role add ns-worker');
    expect(lines).toContain('etcdctl role grant-permission ns-worker --prefix=true readwrite /ns/queue/');
    expect(lines).toContain('etcdctl role grant-permission ns-worker --prefix=true readwrite /ns/results/');
    expect(lines).toContain('etcdctl role grant-permission ns-worker --prefix=true readwrite /ns/jobs/');
  });

  it('adds each user with a password from the environment and grants it each of its roles', () => {
    expect(passwordEnv('ns-worker')).toBe('NS_WORKER_PASSWORD');
    expect(lines).toContain('etcdctl user add "ns-worker:$NS_WORKER_PASSWORD"');
    expect(lines).toContain('etcdctl user grant-role ns-worker ns-node');
    expect(lines).toContain('etcdctl user grant-role ns-worker ns-worker');
    expect(lines.filter((l) => l.startsWith('etcdctl user grant-role ns-node '))).toEqual([
      'etcdctl user grant-role ns-node ns-node',
    ]);
  });
});

describe('workerDeniedMessage', () => {
  it('names the user, the prefix, what the worker needs and both fixes', () => {
    const line = workerDeniedMessage('permission denied', 'ns', 'ns-node', 'queue worker not started');
    expect(line).toContain('etcd permission denied for user ns-node on /ns/queue/: queue worker not started');
    expect(line).toContain('readwrite on /ns/queue/, /ns/results/, /ns/jobs/ (the ns-worker role)');
    expect(line).toContain('--no-worker (ARITH_NO_WORKER=true)');
  });
});
