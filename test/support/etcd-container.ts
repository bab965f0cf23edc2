import { spawnSync } from 'node:child_process';
import type { StartedTestContainer } from 'testcontainers';
import { type Watchdog, watchdog } from '../../src/cli/watchdog.js';
import {
  type EtcdMember,
  etcdArgs,
  findOnPath,
  type MemberSpec,
  randomSuffix,
  STARTUP_TIMEOUT_MS,
  waitHealthy,
} from './etcd-common.js';

/** DEFAULT_ETCD_IMAGE is the image used when $ETCD_IMAGE is unset (an exact official tag). */
export const DEFAULT_ETCD_IMAGE = 'quay.io/coreos/etcd:v3.5.17';
/** STOP_GRACE_S is how long `docker stop` waits after SIGTERM before it sends SIGKILL. */
const STOP_GRACE_S = 5;

/** LOCAL_ETCD_IMAGE is what `.ci/etcd-image/build.sh` builds from Debian's etcd (no registry needed). */
export const LOCAL_ETCD_IMAGE = 'arith-cluster/etcd:3.4-local';

let localImage: boolean | undefined;

/** hasLocalImage tells (once) whether the Docker engine already holds LOCAL_ETCD_IMAGE. */
function hasLocalImage(): boolean {
  localImage ??=
    spawnSync('docker', ['image', 'inspect', LOCAL_ETCD_IMAGE], { stdio: 'ignore' }).status === 0;
  return localImage;
}

/**
 * etcdImage returns the image the testcontainers mode runs: $ETCD_IMAGE; else the locally built
 * image when there is one (nothing to pull); else DEFAULT_ETCD_IMAGE, pulled from its registry.
 */
export function etcdImage(): string {
  return process.env.ETCD_IMAGE || (hasLocalImage() ? LOCAL_ETCD_IMAGE : DEFAULT_ETCD_IMAGE);
}

/** loadTestcontainers sets the loopback-only defaults, then imports testcontainers (lazily: it is heavy). */
async function loadTestcontainers() {
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  return import('testcontainers');
}

/** dockerAvailable tells whether testcontainers finds a Docker engine that answers within timeoutMs. */
export async function dockerAvailable(timeoutMs = Number(process.env.ETCD_DOCKER_CHECK_MS ?? 5_000)) {
  const { getContainerRuntimeClient } = await loadTestcontainers();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([getContainerRuntimeClient().then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** ContainerMember runs one etcd member in a host-network container; its data stays in the container. */
class ContainerMember implements EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  private isRunning = true;
  private readonly guard: Watchdog | undefined;

  constructor(
    spec: MemberSpec,
    private readonly container: StartedTestContainer,
  ) {
    this.name = spec.name;
    this.clientUrl = spec.clientUrl;
    // Ryuk is off (its image cannot be pulled here): remove the container if this process dies first.
    const docker = findOnPath('docker');
    this.guard = docker ? watchdog(`'${docker}' rm -f ${container.getId()} >/dev/null 2>&1`) : undefined;
  }

  running(): boolean {
    return this.isRunning;
  }

  async stop(): Promise<void> {
    const { getContainerRuntimeClient } = await loadTestcontainers();
    const client = await getContainerRuntimeClient();
    await client.container.stop(client.container.getById(this.container.getId()), { timeout: STOP_GRACE_S });
    this.isRunning = false;
  }

  async kill(): Promise<void> {
    const { getContainerRuntimeClient } = await loadTestcontainers();
    const client = await getContainerRuntimeClient();
    const container = client.container.getById(this.container.getId());
    // SIGKILL straight away: `docker stop -t 0` sends SIGTERM first, and etcd uses it to hand leadership over.
    await container.kill({ signal: 'SIGKILL' });
    await container.wait();
    this.isRunning = false;
  }

  async start(): Promise<void> {
    if (this.isRunning) return;
    // Start the same stopped container again (its data dir lives inside it). Not restart(): when its
    // wait strategy times out, testcontainers removes the container, and with it the member's data.
    const { getContainerRuntimeClient } = await loadTestcontainers();
    const client = await getContainerRuntimeClient();
    await client.container.start(client.container.getById(this.container.getId()));
    this.isRunning = true;
    await waitHealthy(this.clientUrl);
  }

  async remove(): Promise<void> {
    this.isRunning = false;
    this.guard?.cancel();
    await this.container.stop({ timeout: 0, remove: true });
  }
}

/**
 * startContainerMembers starts one host-network etcd container per spec (all at once, as a
 * new cluster needs) and resolves when every member is ready; on failure it removes them all.
 */
export async function startContainerMembers(specs: readonly MemberSpec[]): Promise<EtcdMember[]> {
  const { GenericContainer, Wait } = await loadTestcontainers();
  const image = etcdImage();
  const results = await Promise.allSettled(
    specs.map((spec) =>
      new GenericContainer(image)
        .withNetworkMode('host')
        .withEnvironment({ PATH: '/usr/local/bin:/usr/bin:/bin' })
        .withCommand(['etcd', ...etcdArgs(spec, `/tmp/etcd-${randomSuffix()}`)])
        .withLabels({ 'arith-cluster.etcd': spec.clusterToken })
        .withWaitStrategy(Wait.forLogMessage(/ready to serve client requests/))
        .withStartupTimeout(STARTUP_TIMEOUT_MS)
        .start()
        .then((container) => new ContainerMember(spec, container)),
    ),
  );
  const members = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  try {
    if (failure) throw failure.reason;
    await Promise.all(members.map((m) => waitHealthy(m.clientUrl)));
    return members;
  } catch (err) {
    await Promise.allSettled(members.map((m) => m.remove()));
    throw new Error(
      `could not start etcd in a container from image ${image}: ${err instanceof Error ? err.message : err}. ` +
        `Without a registry, build a local image with \`bash .ci/etcd-image/build.sh\` (${LOCAL_ETCD_IMAGE}, ` +
        'used by default once built), or set ETCD_MODE=binary.',
      { cause: err },
    );
  }
}
