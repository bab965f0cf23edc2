import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';

/** PROMETHEUS_BIN is Debian's `prometheus` binary, when installed. */
export const PROMETHEUS_BIN = 'prometheus';

/** hasPrometheus: the `prometheus` binary is on PATH. */
export const hasPrometheus = spawnSync(PROMETHEUS_BIN, ['--version'], { encoding: 'utf8' }).status === 0;

const DEPLOY = fileURLToPath(new URL('../../deploy/', import.meta.url));

/**
 * deployedConfig is deploy/prometheus/prometheus.yml pointed at `gateway` (host:port, in place of
 * the committed 127.0.0.1:7060) with every interval and timeout set to `interval`.
 */
export function deployedConfig(gateway: string, interval: string): string {
  return readFileSync(path.join(DEPLOY, 'prometheus', 'prometheus.yml'), 'utf8')
    .replaceAll('127.0.0.1:7060', gateway)
    .replace(
      /(scrape_interval|scrape_timeout|evaluation_interval|refresh_interval): \S+/g,
      `$1: ${interval}`,
    );
}

/** dashboardExprs lists every `targets[].expr` of deploy/grafana/arith.json, in panel order. */
export function dashboardExprs(): string[] {
  const dash = JSON.parse(readFileSync(path.join(DEPLOY, 'grafana', 'arith.json'), 'utf8')) as {
    panels: Array<{ targets?: Array<{ expr?: string }> }>;
  };
  return dash.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? '')).filter(Boolean);
}

/** PrometheusProcess is a running Prometheus with its own temp config and data dir. */
export interface PrometheusProcess {
  url: string;
  child: ChildProcess;
  /** query runs an instant PromQL query and returns its result vector. */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  /** stop kills it and deletes its temp dir. */
  stop(): Promise<void>;
}

/** startPrometheus runs `prometheus` on a free loopback port with `config`; resolves once it is ready. */
export async function startPrometheus(config: string): Promise<PrometheusProcess> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'arith-prom-'));
  writeFileSync(path.join(dir, 'prometheus.yml'), config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const until = Date.now() + 30_000;
  for (;;) {
    if (spawnError)
      throw new Error(`cannot run ${PROMETHEUS_BIN} (apt-get install prometheus): ${spawnError.message}`);
    if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}): ${stderr}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > until) {
      await stop();
      throw new Error(`prometheus not ready within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const query = async (expr: string) => {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as {
      status: string;
      error?: string;
      data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    };
    if (body.status !== 'success') throw new Error(`query ${expr}: ${body.error}`);
    return body.data?.result ?? [];
  };
  return { url, child, query, stop };
}
