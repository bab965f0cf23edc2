import type { Command } from '../command.js';
import { bulkCommand } from './bulk.js';
import { callCommand } from './call.js';
import { etcdRolesCommand } from './etcd-roles.js';
import { gatewayCommand } from './gateway.js';
import { jobsCommand } from './jobs.js';
import { nodesCommand } from './nodes.js';
import { resultsCommand } from './results.js';
import { sdCommand } from './sd.js';
import { submitCommand } from './submit.js';
import { upCommand } from './up.js';

/** COMMANDS are the `arith` subcommands, in help order. */
export const COMMANDS: readonly Command[] = [
  upCommand,
  nodesCommand,
  callCommand,
  bulkCommand,
  submitCommand,
  jobsCommand,
  resultsCommand,
  etcdRolesCommand,
  gatewayCommand,
  sdCommand,
];
