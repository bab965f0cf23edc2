import type { Command } from '../command.js';
import { callCommand } from './call.js';
import { nodesCommand } from './nodes.js';
import { upCommand } from './up.js';

/** COMMANDS are the `arith` subcommands, in help order. */
export const COMMANDS: readonly Command[] = [upCommand, nodesCommand, callCommand];
