// Preload (`node --import`) that writes `MODULE <file>` to stderr for every module the process
// loads: ES modules through a resolve hook, CommonJS ones through Module._load (a CommonJS package
// that another one requires never passes the ES hook). The node-lazy-modules test reads these lines.
import { createRequire, register } from 'node:module';

const hook = `export async function resolve(spec, ctx, next) {
  const r = await next(spec, ctx);
  process.stderr.write('MODULE ' + r.url + '\\n');
  return r;
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);

const Module = createRequire(import.meta.url)('node:module');
const load = Module._load;
Module._load = function logged(request, parent, isMain) {
  const exports = load.call(this, request, parent, isMain);
  if (!request.startsWith('node:')) {
    try {
      process.stderr.write(`MODULE ${Module._resolveFilename(request, parent, isMain)}\n`);
    } catch {
      // a builtin without the node: prefix
    }
  }
  return exports;
};
