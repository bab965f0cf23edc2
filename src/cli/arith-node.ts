#!/usr/bin/env node
import './quiet-warnings.js';
import { createLogger } from '../logger.js';
import { ArithNode } from '../node/arith-node.js';
import { NodeIdTakenError } from '../registry/key-claim.js';
import { VERSION } from '../version.js';
import { NODE_SPECS, parseNodeCommand } from './node-config.js';
import { formatHelp, UsageError } from './options.js';

/** EXIT_ID_TAKEN: another live process holds this node id (at start, or it took the id over later). */
const EXIT_ID_TAKEN = 3;

const USAGE = `arith-node ${VERSION}: serve the Arith JSON-RPC service (HTTP and TCP) and register in etcd.

Usage: arith-node [options]`;

async function main(): Promise<void> {
  let command: ReturnType<typeof parseNodeCommand>;
  try {
    command = parseNodeCommand(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`arith-node: ${error.message}\nTry 'arith-node --help'.\n`);
    process.exit(2);
  }
  if (command.kind === 'help') {
    process.stdout.write(formatHelp(USAGE, NODE_SPECS));
    return;
  }
  if (command.kind === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  const logger = createLogger({
    level: command.logLevel,
    name: 'arith-node',
    base: { nodeId: command.options.nodeId },
  });
  const node = new ArithNode({ ...command.options, logger });
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      logger.flush();
      process.exit(130);
    }
    stopping = true;
    logger.info({ signal }, 'stopping');
    node.close().then(
      () => exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        exit(1);
      },
    );
  };
  // etcd3's close() leaves handles open, so exit explicitly once everything is flushed.
  // Never wait on the log for ever: a broken stdout (the reader died) must not keep the process up.
  const exit = (code: number): void => {
    setTimeout(() => process.exit(code), 1_000).unref();
    try {
      logger.flush(() => process.exit(code));
    } catch {
      process.exit(code);
    }
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  try {
    await node.start();
    node.registration?.once('replaced', ({ holder }) => {
      const by = `pid ${holder.pid} on ${holder.hostname} (lease ${holder.leaseId})`;
      process.stderr.write(`arith-node: node id ${command.options.nodeId} taken over by ${by}; exiting\n`);
      stopping = true;
      void node.close().finally(() => exit(EXIT_ID_TAKEN));
    });
  } catch (error) {
    if (error instanceof NodeIdTakenError) {
      logger.fatal({ key: error.key, holder: error.holder }, 'node id taken');
      process.stderr.write(`arith-node: ${error.message}\n`);
      exit(EXIT_ID_TAKEN);
      return;
    }
    const err = error as NodeJS.ErrnoException;
    const message = err.code === 'EADDRINUSE' ? `address in use: ${err.message}` : err.message;
    logger.fatal({ err: { message, code: err.code } }, 'start failed');
    process.stderr.write(`arith-node: ${message}\n`);
    exit(1);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`arith-node: ${(error as Error).message}\n`);
  process.exit(1);
});
