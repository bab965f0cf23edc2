/**
 * cli params: what `arith call` and bulk/submit .jsonl lines send is exactly what was written, or
 * nothing (adversary findings D1, D5, D6): a number that is not exactly an integer, or params nested
 * past the node's bound, exit 2 with the node's wording; no internal object is ever sent. Real
 * `arith` processes against a real etcd and a real node.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type CliRun, lines, runArith } from '../support/cli.js';
import { ClusterFixture } from '../support/cluster-fixture.js';
import { startNode } from '../support/process.js';

const endpoints = inject('etcdEndpoints');
const fx = new ClusterFixture(endpoints);
const ns = fx.namespace('cli-params');
const dir = mkdtempSync(join(tmpdir(), 'cli-params-'));
const arith = (...args: string[]): Promise<CliRun> =>
  runArith([...args, '--etcd', endpoints.join(','), '--namespace', ns]);

beforeAll(async () => {
  await startNode({ id: 'cli-params-a', etcd: endpoints, namespace: ns });
});
afterAll(() => fx.close());

const deep = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;
const REFUSED: Array<[string, string, string]> = [
  ['1e400', '[1e400,0]', 'params: number 1e400 cannot be read exactly; send a decimal integer'],
  [
    '4503599627370496.5',
    '[4503599627370496.5,0]',
    'params: number 4503599627370496.5 cannot be read exactly; send a decimal integer',
  ],
  [
    '0.99999999999999999999',
    '{"A":0.99999999999999999999,"B":0}',
    'params: number 0.99999999999999999999 cannot be read exactly; send a decimal integer',
  ],
  ['1e-400', '[1e-400,0]', 'params: number 1e-400 cannot be read exactly; send a decimal integer'],
  ['1.5', '[1.5,0]', 'params: number 1.5 is not an integer; send a decimal integer'],
  ['nested 5,000 deep', deep(5000), 'params: nested deeper than 128 levels'],
  ['nested 129 deep', `[${deep(128)}]`, 'params: nested deeper than 128 levels'],
];

describe('arith call params', () => {
  it.each(REFUSED)('%s exits 2 with the reason, sends nothing', async (_label, params, reason) => {
    const run = await arith('call', 'Arith.Sum', params);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(lines(run.stderr)[0]).toBe(`arith: ${reason}`);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  it('sends literals that denote integers exactly as those integers', async () => {
    expect(await arith('call', 'Arith.Add', '[9007199254740993.0,1e1]')).toMatchObject({
      code: 0,
      stdout: '9007199254741003\n',
    });
    expect(await arith('call', 'Arith.Add', '{"A":1.0,"B":12.50e1}')).toMatchObject({
      code: 0,
      stdout: '126\n',
    });
  });
});

describe.each(['bulk', 'submit'])('arith %s .jsonl lines', (command) => {
  it.each(REFUSED)('a line with params %s exits 2 naming the line', async (_label, params, reason) => {
    const file = join(dir, `${command}-${Math.random().toString(36).slice(2)}.jsonl`);
    writeFileSync(file, `{"method":"Arith.Add","params":[1,2]}\n{"method":"Arith.Sum","params":${params}}\n`);
    const run = await arith(command, file);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}:2: ${reason}`);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});
