import { startEtcd } from './etcd.js';
import { findEtcdBinary, startBinaryMembers } from './etcd-binary.js';
import { type EtcdMember, memberSpecs } from './etcd-common.js';
import { TcpProxy } from './tcp-proxy.js';

/** OwnEtcd is a test file's separate etcd that can go down and come back. */
export interface OwnEtcd {
  url: string;
  /** how: `restart` (a real stop and start of the etcd binary) or `proxy cut` (traffic cut in front of a container). */
  how: string;
  down(): Promise<void>;
  up(): Promise<void>;
  /** member: the etcd member itself, when it is a binary one (for pause/resume with SIGSTOP/SIGCONT). */
  member?: EtcdMember;
}

/**
 * ownEtcd starts an etcd apart from the shared one: a real restartable member when the binary is
 * there, else a container behind a TcpProxy whose cut stands in for the restart. What it started
 * is released by the functions it pushes onto `cleanups` (run them in afterAll, in reverse).
 */
export async function ownEtcd(cleanups: Array<() => unknown>): Promise<OwnEtcd> {
  const bin = findEtcdBinary();
  if (bin) {
    const [member] = await startBinaryMembers(bin, await memberSpecs(1));
    if (!member) throw new Error('no etcd member started');
    cleanups.push(() => member.remove());
    const { clientUrl: url } = member;
    return { url, how: 'restart', down: () => member.stop(), up: () => member.start(), member };
  }
  const etcd = await startEtcd({ forceMode: 'testcontainers' });
  const proxy = TcpProxy.fromUrl(etcd.endpoints[0]!);
  await proxy.listen();
  cleanups.push(
    () => etcd.stop(),
    () => proxy.close(),
  );
  return { url: proxy.url, how: 'proxy cut', down: async () => proxy.cut(), up: async () => proxy.restore() };
}
