/**
 * The SDK as users run it: the compiled `dist/` (built by `npm run build`, which `prebench` runs),
 * not `src/` transpiled on the fly by tsx (whose keep-names wrappers cost time on the hot path).
 * Types come from `src/`, which `dist/` is compiled from.
 */
import type * as Sdk from '../../src/index.js';

const DIST = new URL('../../dist/index.js', import.meta.url).href;
const sdk = (await import(DIST)) as typeof Sdk;

export const { connect, deriveKey } = sdk;
export type { Cluster, NodeStats } from '../../src/index.js';
