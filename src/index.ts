/**
 * arith-cluster's public surface, re-exported on purpose: the SDK (`connect`, `Cluster`, its
 * options, types and errors), the results and job records it stores, the Arith service's pure
 * functions, and the node for embedding (`ArithNode`). Everything else (dispatcher, registration,
 * discovery, etcd keys, wire codes) is internal and may change without notice.
 */
export * from './arith/index.js';
export { AttemptTimeoutError } from './client/attempt-timeout.js';
export { BALANCERS, pickerBuilder } from './client/balance/balancers.js';
export type {
  BalancerName,
  Picker,
  PickerBuilder,
  PickOptions,
  PickTarget,
} from './client/balance/picker.js';
export type { ManyCall, ManyResult } from './client/call-many.js';
export type { CallOptions } from './client/call-one.js';
export { Cluster, type ClusterEvents, type ClusterStats, connect } from './client/cluster.js';
export type { ConnectOptions } from './client/connect-options.js';
export {
  type Answer,
  ClusterClosedError,
  ClusterError,
  DeadlineExceededError,
  isRetryable,
  NodeTlsError,
  NoNodesError,
  OverloadedError,
  QuorumError,
  RemoteDivideByZeroError,
  RemoteError,
  RemoteInvalidParamsError,
  RemoteMethodNotFoundError,
  RemoteResultTooLargeError,
  RemoteShuttingDownError,
  ResultConflictError,
  TransportError,
  type TransportKind,
} from './client/errors.js';
export { fromWire, type Integer, toWire } from './client/exact.js';
export type { Receipt } from './client/fanout.js';
export type { NodeStats } from './client/node-client.js';
export type { TransportName } from './client/transport/channel.js';
export type { NodeTlsClientOptions } from './client/transport/node-tls.js';
export type { Verified } from './client/verify-modes.js';
export {
  ForwardHandler,
  Gateway,
  type GatewayOptions,
  SdServer,
  type SdTargetGroup,
  sdTargets,
} from './gateway/index.js';
export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export { ArithNode, type ArithNodeOptions } from './node/arith-node.js';
export type { NodeTlsOptions } from './node/server-tls.js';
export type { ServingLimits } from './node/serving-limits.js';
export { parseExact, stringifyExact } from './protocol/exact-json.js';
export type { EtcdOptions } from './registry/etcd-client.js';
export { NodeInfoSchema, parseNodeInfo } from './registry/node-info.js';
export type {
  DiscoveryState,
  DiscoveryStatus,
  Endpoints,
  NodeChange,
  NodeInfo,
  NodeSource,
  RegistrationState,
} from './registry/types.js';
export type { BulkIssue, BulkOp, BulkProgress, BulkSummary, MapOptions } from './results/bulk-job.js';
export {
  type JobCounts,
  type JobRecord,
  JobRecordSchema,
  type JobStatus,
  parseJobRecord,
} from './results/job-record.js';
export { QueueJob, type QueueJobEvents } from './results/queue/job-handle.js';
export type { JobSnapshot, QueueJobStatus } from './results/queue/job-status.js';
export { type ErrorText, errorText, QueueError, type QueueErrorCode } from './results/queue/queue-error.js';
export { type JobSummaryLine, QueueJobs } from './results/queue/queue-jobs.js';
export { DEFAULT_QUOTA_BYTES, type SpaceOptions, type SpaceReport } from './results/queue/space.js';
export type { SubmitOptions } from './results/queue/submit.js';
export type { QueueIssue } from './results/queue/tally.js';
export { checkKey, deriveKey } from './results/result-key.js';
export {
  parseResultRecord,
  type ResultAnswer,
  type ResultError,
  type ResultRecord,
  ResultRecordSchema,
  sameAnswer,
  serializeResultRecord,
  VERIFY_MODES,
  type VerifyMode,
} from './results/result-record.js';
export {
  type ComputeOptions,
  type ComputeOutcome,
  type ListOptions,
  type ResultPage,
  ResultsStore,
} from './results/results-store.js';
export {
  expectedAnswer,
  type VerifyMismatch,
  type VerifyOptions,
  type VerifyReport,
  type VerifyTarget,
} from './results/results-verify.js';
export type { ResultEvent, ResultsWatch, WatchResultsOptions } from './results/results-watch.js';
export { VERSION } from './version.js';
