/**
 * Checks of the addresses the CLI takes (`--host`, `--advertise-host`, `--etcd` endpoints), for
 * OptionSpec `check`: a pattern lets `999.999.999.999`, `:::` and port 99999 through; these say
 * what is wrong, at parse time, before anything binds or dials.
 */
import { isIPv4, isIPv6 } from 'node:net';

const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/** hostProblem says why `host` is no IPv4 address, IPv6 address (bare or in brackets) or DNS name. */
export function hostProblem(host: string): string | undefined {
  const bracketed = /^\[(.*)\]$/.exec(host);
  if (bracketed) return isIPv6(bracketed[1]!) ? undefined : 'not an IPv6 address';
  if (host.includes(':')) return isIPv6(host) ? undefined : 'not an IPv6 address';
  if (/^[\d.]+$/.test(host)) return isIPv4(host) ? undefined : 'not an IPv4 address (four numbers 0-255)';
  if (
    host.length > 253 ||
    !host
      .replace(/\.$/, '')
      .split('.')
      .every((l) => LABEL.test(l))
  )
    return 'not a host name (dot-separated labels of letters, digits and -)';
  return undefined;
}

/** endpointProblem says why `endpoint` is no `[http(s)://]host:port` with a port from 1 to 65535. */
export function endpointProblem(endpoint: string): string | undefined {
  const m = /^(?:https?:\/\/)?(.+):(\d{1,5})$/.exec(endpoint);
  if (!m) return 'expected host:port or http(s)://host:port';
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return `port ${m[2]} is not from 1 to 65535`;
  const host = m[1]!;
  if (host.includes(':') && !host.startsWith('[')) return 'an IPv6 address goes in brackets: [::1]:2379';
  return hostProblem(host);
}
