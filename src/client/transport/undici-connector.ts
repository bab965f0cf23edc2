import { buildConnector } from 'undici';

/**
 * failFastConnector is undici's own connector (`buildConnector(options)`) with one change: a
 * failed connection is reported as a plain Error whose `cause` is the original. undici 7 handles
 * `ERR_TLS_CERT_ALTNAME_INVALID` on a path of its own that fails only the queued requests whose
 * server name matches its own, and leaves the others (and `Pool.close()`) waiting for good: two
 * concurrent calls to a node whose certificate names another host hung forever. Through the
 * generic path every queued request fails with the error. `nodeTlsError` reads the code from
 * `cause`, so the caller still sees a NodeTlsError with code `ERR_TLS_CERT_ALTNAME_INVALID`.
 */
export function failFastConnector(options: buildConnector.BuildOptions): buildConnector.connector {
  const connect = buildConnector(options);
  return (opts, callback) =>
    connect(opts, (error, socket) => {
      if (error) callback(new Error(error.message, { cause: error }), null);
      else callback(null, socket!);
    });
}
