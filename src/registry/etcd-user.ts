/**
 * Who etcd takes a client for: the `--etcd-user` when one is given, else (etcd with
 * `--client-cert-auth`) the common name of the client certificate. Used to name the user when etcd
 * refuses a request.
 */
import { X509Certificate } from 'node:crypto';
import { type EtcdOptions, type Pem, pemOf } from './etcd-client.js';

/** EtcdIdentity is the etcd user of a set of options and where the name comes from. */
export interface EtcdIdentity {
  name: string;
  from: 'password' | 'certificate';
}

/** certificateCommonName returns the CN of the PEM certificate `pem` (a path or the PEM), or undefined if it has none or cannot be read. */
export function certificateCommonName(pem: Pem): string | undefined {
  try {
    const subject = new X509Certificate(pemOf(pem)).subject;
    const cn = subject.split('\n').find((part) => part.startsWith('CN='));
    return cn?.slice(3) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * etcdIdentity names the user etcd authenticates `options` as: the username (password auth wins in
 * etcd), else the client certificate's CN (etcd 3.4 takes it when it runs with
 * `--client-cert-auth` and the request carries no token), else undefined.
 */
export function etcdIdentity(options: Pick<EtcdOptions, 'username' | 'tls'>): EtcdIdentity | undefined {
  if (options.username !== undefined) return { name: options.username, from: 'password' };
  const cert = options.tls?.cert;
  const cn = cert ? certificateCommonName(cert) : undefined;
  return cn ? { name: cn, from: 'certificate' } : undefined;
}
