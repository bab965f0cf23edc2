/**
 * Imported first by the entry points for its effect: drops Node's DEP0123 warning ("Setting the TLS
 * ServerName to an IP address is not permitted by RFC 6066"), which grpc-js triggers on every TLS
 * connection to an etcd addressed by IP (it always passes the host as the server name). Node sends
 * no SNI for an IP anyway and the certificate is still checked against the IP, so the line only
 * tells an operator something is wrong when nothing is. Every other warning is printed as before.
 */
const emitWarning = process.emitWarning.bind(process);

process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const options = rest[0];
  const code =
    typeof options === 'object' && options !== null ? (options as { code?: string }).code : rest[1];
  if (code === 'DEP0123') return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
