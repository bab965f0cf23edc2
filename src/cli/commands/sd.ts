import { SdServer } from '../../gateway/sd-server.js';
import { createLogger } from '../../logger.js';
import { type Command, openCluster } from '../command.js';
import { LISTEN_SPECS, untilAborted } from './gateway.js';

/**
 * `arith sd`: a tiny HTTP server answering Prometheus `http_sd_config` on `GET /sd`, one target per
 * live node's metrics endpoint, for operators who run no gateway. Runs until SIGINT/SIGTERM.
 */
export const sdCommand: Command = {
  name: 'sd',
  summary: 'serve Prometheus http_sd_config targets (GET /sd) for the live nodes',
  usage: 'arith sd [--port P] [--host H]',
  needsEtcd: true,
  specs: LISTEN_SPECS,
  async run(values, _positionals, _io, signal) {
    const logger = createLogger({ level: values['log-level'] as string, name: 'arith-sd' });
    const cluster = await openCluster(values, signal);
    const server = new SdServer({
      host: values.host as string,
      port: values.port as number,
      namespace: cluster.namespace,
      nodes: () => cluster.nodes(),
    });
    try {
      const address = await server.listen();
      logger.info(
        { host: address.address, port: address.port, nodes: cluster.nodes().length },
        'sd listening',
      );
      await untilAborted(signal);
      return 0;
    } finally {
      await server.close();
      await cluster.close();
    }
  },
};
