import type tls from 'node:tls';

/** NodeTlsOptions turn on TLS on both of a node's ports: PEM contents, not file paths. */
export interface NodeTlsOptions {
  /** cert: the node's certificate chain (PEM). */
  cert: string | Buffer;
  /** key: the certificate's private key (PEM). */
  key: string | Buffer;
  /** clientCa: when set, clients must present a certificate signed by this CA (mTLS). */
  clientCa?: string | Buffer | undefined;
}

/** HANDSHAKE_TIMEOUT_MS: a connection that has not finished its TLS handshake by then is dropped. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * serverTlsOptions are the `tls.createServer` / `https.createServer` options for a node: TLS 1.2
 * or later, a bounded handshake and, with `clientCa`, a required and verified client certificate
 * (a client without one never gets past the handshake, so never reaches the JSON-RPC handler).
 */
export function serverTlsOptions(options: NodeTlsOptions): tls.TlsOptions {
  const mutual = options.clientCa !== undefined;
  return {
    cert: options.cert,
    key: options.key,
    minVersion: 'TLSv1.2',
    handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    ...(mutual ? { ca: options.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
  };
}

/**
 * acceptEvent is the server event that hands over a client connection ready for JSON-RPC: the
 * plain socket, or the TLS socket once its handshake (and client certificate) is done. Connection
 * limits and idle timers apply to that socket, so a refusal line is readable over TLS too.
 */
export function acceptEvent(tlsOn: boolean): 'connection' | 'secureConnection' {
  return tlsOn ? 'secureConnection' : 'connection';
}
