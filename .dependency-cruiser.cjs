/**
 * The import rules of `src/` (see ARCHITECTURE.md, module map), checked by `npm run deps`
 * (part of `npm run lint`, so CI's lint stage fails on a violation).
 *
 * Type-only imports count: a type a folder must not know is a dependency all the same.
 */

/** otherFolders matches a file in any `src/` folder but the given one. */
const otherFolders = (own) => `^src/(?!${own}/)[^/]+/`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycle in src/, counted file by file.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'client-not-node',
      severity: 'error',
      comment: 'The SDK speaks to nodes through src/protocol, never through the server files.',
      from: { path: '^src/client/' },
      to: { path: '^src/node/' },
    },
    {
      name: 'node-not-client',
      severity: 'error',
      comment: 'The node knows nothing of how clients call or balance.',
      from: { path: '^src/node/' },
      to: { path: '^src/client/' },
    },
    {
      name: 'arith-alone',
      severity: 'error',
      comment: 'src/arith is the Arith service as pure functions: no other src folder.',
      from: { path: '^src/arith/' },
      to: { path: otherFolders('arith') },
    },
    {
      name: 'util-alone',
      severity: 'error',
      comment: 'src/util holds general helpers: no other src folder.',
      from: { path: '^src/util/' },
      to: { path: otherFolders('util') },
    },
    {
      name: 'protocol-contract-only',
      severity: 'error',
      comment: 'src/protocol is the wire contract both sides share: not node, client, registry or results.',
      from: { path: '^src/protocol/' },
      to: { path: '^src/(node|client|registry|results)/' },
    },
    {
      name: 'registry-knows-nodes-only',
      severity: 'error',
      comment: 'src/registry knows nodes, not how clients call them, results or the node process.',
      from: { path: '^src/registry/' },
      to: { path: '^src/(client|results|node)/' },
    },
    {
      name: 'pure-folders-no-etcd',
      severity: 'error',
      comment: 'src/arith and src/protocol import neither etcd nor jayson.',
      from: { path: '^src/(arith|protocol)/' },
      to: { path: 'node_modules/(etcd3|jayson)/' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment: 'Every import resolves: an import the checker cannot follow would escape every rule above.',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
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
