/**
 * NODE_RUNTIME_FLAGS are the Node.js flags an arith-node process runs with, wherever it is
 * launched from (`arith up`, the Docker image, the test and bench harness): a young generation of
 * 2 MiB semi-spaces instead of V8's growth to 16 MiB while modules load. A node's requests are
 * short-lived, so scavenges stay cheap; the idle node keeps about 5 MB less resident
 * (`npm run bench`, section 5, measured no change in calls/s).
 */
export const NODE_RUNTIME_FLAGS: readonly string[] = ['--max-semi-space-size=2'];
