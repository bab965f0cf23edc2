import type { TestProject } from 'vitest/node';
import { startEtcd } from './etcd.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** etcdEndpoints are the client URLs of the etcd shared by the whole run. */
    etcdEndpoints: string[];
    /** etcdMode is how that etcd was obtained: env, testcontainers or binary. */
    etcdMode: string;
  }
}

/**
 * setup starts one etcd for the whole vitest run, prints one `[etcd] mode=...` line, provides
 * `etcdEndpoints` and `etcdMode` to tests (read them with `inject`), and returns the teardown.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const etcd = await startEtcd();
  const image = etcd.image ? ` image=${etcd.image}` : '';
  console.log(
    `[etcd] mode=${etcd.mode} endpoints=${etcd.endpoints.join(',')}${image} ready_in=${Date.now() - started}ms`,
  );
  project.provide('etcdEndpoints', etcd.endpoints);
  project.provide('etcdMode', etcd.mode);
  return async () => {
    await etcd.stop();
  };
}
