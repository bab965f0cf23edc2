/** The gateway's public surface (re-exported by src/index.ts). */
export { type Caller, ForwardHandler, type ForwardHandlerOptions } from './forward-handler.js';
export { Gateway, type GatewayOptions } from './gateway.js';
export { GatewayMetrics } from './gateway-metrics.js';
export { SdServer, type SdServerOptions } from './sd-server.js';
export { type SdTargetGroup, sdTargets } from './service-discovery.js';
