/**
 * The import rules of `src/` (see ARCHITECTURE.md, module map), checked by `npm run deps`
 * (part of `npm run lint`, so CI's lint stage fails on a violation).
 *
 * Type-only imports count: a type a folder must not know is a dependency all the same.
 */

/** otherFolders matches a file in any `src/` folder but the given one. */
const otherFolders = (own) => `^src/(?!${own}/)[^/]+/`;

/** forbid is one error-level rule: no file matching `from` imports one matching `to`. */
const forbid = (name, comment, from, to) => ({ name, severity: 'error', comment, from, to });

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    forbid(
      'no-circular',
      'No import cycle in src/, counted file by file.',
      { path: '^src/' },
      { circular: true },
    ),
    forbid(
      'no-unresolvable',
      'Every import resolves: an import the checker cannot follow would escape every rule here.',
      { path: '^src/' },
      { couldNotResolve: true },
    ),
    forbid(
      'client-not-node',
      'The SDK speaks to nodes through src/protocol, never through the server files.',
      { path: '^src/client/' },
      { path: '^src/node/' },
    ),
    forbid(
      'node-not-client',
      'The node knows nothing of how clients call or balance.',
      { path: '^src/node/' },
      { path: '^src/client/' },
    ),
    forbid(
      'arith-alone',
      'src/arith is the Arith service as pure functions: no other src folder.',
      { path: '^src/arith/' },
      { path: otherFolders('arith') },
    ),
    forbid(
      'util-alone',
      'src/util holds general helpers: no other src folder.',
      { path: '^src/util/' },
      { path: otherFolders('util') },
    ),
    forbid(
      'protocol-contract-only',
      'src/protocol is the wire contract both sides share: not node, client, registry or results.',
      { path: '^src/protocol/' },
      { path: '^src/(node|client|registry|results)/' },
    ),
    forbid(
      'registry-knows-nodes-only',
      'src/registry knows nodes, not how clients call them, results or the node process.',
      { path: '^src/registry/' },
      { path: '^src/(client|results|node)/' },
    ),
    forbid(
      'gateway-is-a-front-door',
      'src/gateway sits on top (node transports, the SDK): only src/cli and src/index.ts import it.',
      { path: '^src/(?!cli/|gateway/|index\\.ts$)' },
      { path: '^src/gateway/' },
    ),
    forbid(
      'gateway-no-balancing',
      'src/gateway forwards through the SDK facade: it holds no balancing and no transport of its own.',
      { path: '^src/gateway/' },
      { path: '^src/client/(balance|transport)/' },
    ),
    forbid(
      'pure-folders-no-etcd',
      'src/arith and src/protocol import neither etcd nor jayson.',
      { path: '^src/(arith|protocol)/' },
      { path: 'node_modules/(etcd3|jayson)/' },
    ),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts'],
    },
  },
};
