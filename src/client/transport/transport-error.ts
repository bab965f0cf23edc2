import { type NodeTlsError, nodeTlsError } from '../errors/tls-error.js';
import { TransportError, type TransportKind } from '../errors.js';

/**
 * transportError maps an exception from a socket or undici to a TransportError whose kind drives
 * ejection and retries: refused, timeout, server (a malformed answer) or reset (anything else).
 * A certificate failure in a TLS handshake becomes a NodeTlsError instead (not retried).
 */
export function transportError(error: unknown, nodeId: string): TransportError | NodeTlsError {
  if (error instanceof TransportError) return error;
  const tlsFailure = nodeTlsError(error, nodeId);
  if (tlsFailure) return tlsFailure;
  const e = error as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  const kind: TransportKind =
    code === 'ECONNREFUSED'
      ? 'refused'
      : code === 'UND_ERR_CONNECT_TIMEOUT' ||
          code === 'UND_ERR_HEADERS_TIMEOUT' ||
          code === 'UND_ERR_BODY_TIMEOUT' ||
          code === 'ETIMEDOUT'
        ? 'timeout'
        : error instanceof SyntaxError
          ? 'server'
          : 'reset';
  return new TransportError(
    `${code || e.name || 'error'}: ${e.message ?? 'transport failure'}`,
    nodeId,
    kind,
    {
      cause: error,
    },
  );
}
