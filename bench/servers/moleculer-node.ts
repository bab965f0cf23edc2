/**
 * One moleculer 0.15 service node for the bench: a ServiceBroker with the TCP transporter (no UDP
 * discovery, a static list of peers) serving `arith.multiply`, the framework a Node.js user would
 * most likely pick instead of arith-cluster. Prints `{"port":N}` once its broker has started.
 * Usage: node --import tsx bench/servers/moleculer-node.ts <nodeID> <port> <peer urls, comma-separated>
 *   (a peer url is `127.0.0.1:<port>/<nodeID>`, as moleculer's TCP transporter takes them).
 */
import { ServiceBroker } from 'moleculer';

const [nodeID = 'svc', portText = '0', peers = ''] = process.argv.slice(2);
const port = Number(portText);

const broker = new ServiceBroker({
  nodeID,
  logger: false,
  transporter: {
    type: 'TCP',
    options: { udpDiscovery: false, port, urls: peers },
  },
});

broker.createService({
  name: 'arith',
  actions: {
    multiply(ctx: { params: { A: number; B: number } }): number {
      return ctx.params.A * ctx.params.B;
    },
  },
});

await broker.start();
console.log(JSON.stringify({ port }));
process.on('SIGTERM', () => {
  void broker.stop().then(() => process.exit(0));
});
