/**
 * `npm run fuzz -- --seconds N [--transport http|tcp] [--seed S]`: a longer fuzz run than the one in
 * `npm test`, over both transports unless one is named. Exits 1 on any failure, printing the seed.
 */
import { parseArgs } from 'node:util';
import { runFuzz } from './run-fuzz.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    transport: { type: 'string' },
    seed: { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
const transports = values.transport === undefined ? (['http', 'tcp'] as const) : [values.transport];
if (
  !Number.isFinite(seconds) ||
  seconds <= 0 ||
  !Number.isInteger(seed) ||
  transports.some((t) => t !== 'http' && t !== 'tcp')
) {
  console.error('usage: npm run fuzz -- --seconds N [--transport http|tcp] [--seed S]');
  process.exit(2);
}
let failed = false;
for (const transport of transports as Array<'http' | 'tcp'>) {
  const report = await runFuzz({ seconds, transport, seed, log: (line) => console.log(line) });
  console.log(JSON.stringify({ ...report, failures: report.failures.length }));
  for (const f of report.failures) console.error(`FAIL ${f}`);
  failed ||= report.failures.length > 0;
}
process.exit(failed ? 1 : 0);
