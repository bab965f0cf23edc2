/**
 * arith-cluster's public surface, re-exported on purpose; everything else is internal.
 */
export * from './arith/index.js';
export { type CallContext, type CallOutcome, Dispatcher, type DispatcherOptions } from './node/dispatcher.js';
export { ArithNode, type ArithNodeOptions } from './node/arith-node.js';
export { DEADLINE_HEADER, REQUEST_ID_HEADER } from './node/http-transport.js';
export { RPC_ERRORS, type JsonRpcErrorObject } from './node/rpc-errors.js';
export { createEtcdClient, type EtcdOptions } from './registry/etcd-client.js';
export { jobsPrefix, nodeKey, nodesPrefix, resultsPrefix } from './registry/keys.js';
export { NodeInfoSchema, parseNodeInfo } from './registry/node-info.js';
export { Registration, type RegistrationEvents, type RegistrationOptions } from './registry/registration.js';
export type { Endpoints, NodeChange, NodeInfo, RegistrationState } from './registry/types.js';
export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export { VERSION } from './version.js';
