// Preloaded (NODE_OPTIONS=--import) into child processes when `npm run bench -- --profile` runs:
// Node 20 refuses --cpu-prof in NODE_OPTIONS, so this starts the V8 sampling profiler through
// node:inspector and writes a .cpuprofile into $BENCH_PROF_DIR when the process exits.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

const dir = process.env.BENCH_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  process.once('exit', () => {
    // Same-thread inspector sessions answer synchronously, so this runs before the process is gone.
    session.post('Profiler.stop', (error, result) => {
      if (error || !result) return;
      const file = path.join(dir, `CPU.preload.0.${process.pid}.0.001.cpuprofile`);
      writeFileSync(file, JSON.stringify(result.profile));
    });
  });
}
