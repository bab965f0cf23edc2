import type tls from 'node:tls';

/**
 * NodeTlsClientOptions are the SDK's TLS settings for node connections (not etcd's: those are in
 * EtcdOptions). PEM strings or buffers. They apply to nodes that advertise `tls://` / `https://`.
 */
export interface NodeTlsClientOptions {
  /** ca: CA certificate(s) that sign the nodes' certificates (default: the system's roots). */
  ca?: string | Buffer | Array<string | Buffer>;
  /** cert: this client's certificate, for nodes that require one (mTLS); goes with `key`. */
  cert?: string | Buffer;
  /** key: the private key of `cert`. */
  key?: string | Buffer;
  /** servername: the name to verify node certificates against (default: the advertised host). */
  servername?: string;
}

/** TcpTarget is where a TCP channel dials, read from an advertised `[tls://]host:port`. */
export interface TcpTarget {
  host: string;
  port: number;
  /** tls: the node advertised `tls://`. */
  tls: boolean;
}

/** tcpTarget parses a NodeInfo `endpoints.tcp` value (`host:port`, `[v6]:port`, `tls://host:port`). */
export function tcpTarget(address: string): TcpTarget {
  const tlsOn = address.startsWith('tls://');
  const hostPort = tlsOn ? address.slice('tls://'.length) : address;
  const colon = hostPort.lastIndexOf(':');
  return {
    host: hostPort.slice(0, colon).replace(/^\[(.*)\]$/, '$1'),
    port: Number(hostPort.slice(colon + 1)),
    tls: tlsOn,
  };
}

/**
 * connectTlsOptions are the `tls.connect` options (also undici's `connect`) for one node: its
 * certificate must verify against `ca` and the name (`servername`, else the host; an IP address
 * must be in the certificate's IP SANs), and `cert`/`key` are presented when a node asks.
 */
export function connectTlsOptions(options: NodeTlsClientOptions | undefined): tls.ConnectionOptions {
  return {
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    ...(options?.ca !== undefined ? { ca: options.ca } : {}),
    ...(options?.cert !== undefined ? { cert: options.cert } : {}),
    ...(options?.key !== undefined ? { key: options.key } : {}),
    ...(options?.servername !== undefined ? { servername: options.servername } : {}),
  };
}
