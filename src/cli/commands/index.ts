import type { Command } from '../command.js';
import { bulkCommand } from './bulk.js';
import { callCommand } from './call.js';
import { etcdRolesCommand } from './etcd-roles.js';
import { gatewayCommand } from './gateway.js';
import { nodesCommand } from './nodes.js';
import { resultsCommand } from './results.js';
import { sdCommand } from './sd.js';
import { upCommand } from './up.js';

/** COMMANDS are the `arith` subcommands, in help order. */
export const COMMANDS: readonly Command[] = [
  upCommand,
  nodesCommand,
  callCommand,
  bulkCommand,
  resultsCommand,
  etcdRolesCommand,
  gatewayCommand,
  sdCommand,
];
