import { ClusterError } from './cluster-error.js';

/**
 * NodeTlsError: a TLS handshake with a node failed on a certificate: the node's did not verify
 * (unknown CA, wrong name, expired, self-signed), or the node refused this client's (none, or one
 * it does not trust). Not retryable: trying again, here or on another node with the same settings,
 * meets the same certificates. The node is ejected, so other calls go elsewhere meanwhile.
 */
export class NodeTlsError extends ClusterError {
  constructor(
    /** nodeId is the node whose handshake failed. */
    readonly nodeId: string,
    /** reason says which certificate failed and why, e.g. `node certificate: self-signed certificate`. */
    readonly reason: string,
    /** code is Node's or OpenSSL's code, e.g. `DEPTH_ZERO_SELF_SIGNED_CERT`, `ERR_TLS_CERT_ALTNAME_INVALID`. */
    readonly code: string,
    options?: ErrorOptions,
  ) {
    super(`TLS with node ${nodeId} failed: ${reason} (${code})`, false, options);
  }
}

/** Codes of OpenSSL's certificate verification and Node's host name check: the node's certificate. */
const NODE_CERT_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** A TLS alert from the node about this client's certificate (missing, untrusted, bad). */
const CLIENT_CERT_ALERT =
  /^ERR_SSL_(TLSV13_ALERT_CERTIFICATE_REQUIRED|SSLV3_ALERT_BAD_CERTIFICATE|TLSV1_ALERT_UNKNOWN_CA|SSLV3_ALERT_CERTIFICATE_UNKNOWN|TLSV1_ALERT_ACCESS_DENIED)$/;

/** nodeTlsError returns a NodeTlsError when `error` is a certificate failure, else undefined. */
export function nodeTlsError(error: unknown, nodeId: string): NodeTlsError | undefined {
  const e = error as { code?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
  const source = typeof e?.code === 'string' ? e : e?.cause;
  const code = typeof source?.code === 'string' ? source.code : '';
  const message = typeof source?.message === 'string' ? source.message : 'TLS failure';
  if (NODE_CERT_CODES.has(code))
    return new NodeTlsError(nodeId, `node certificate: ${message}`, code, { cause: error });
  if (CLIENT_CERT_ALERT.test(code)) {
    return new NodeTlsError(nodeId, `the node refused this client's certificate: ${message}`, code, {
      cause: error,
    });
  }
  return undefined;
}
