import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNodeCommand } from '../../src/cli/node-config.js';
import { UsageError } from '../../src/cli/options.js';
import { toClientTls } from '../../src/cli/tls-options.js';
import { NodeTlsError, nodeTlsError } from '../../src/client/errors/tls-error.js';
import { tcpTarget } from '../../src/client/transport/node-tls.js';
import { transportError } from '../../src/client/transport/transport-error.js';
import { TransportError } from '../../src/index.js';
import { NodeInfoSchema } from '../../src/registry/node-info.js';
import { makeTestCerts, OPENSSL } from '../support/test-certs.js';

describe('TCP endpoints with a TLS marker', () => {
  it('tcpTarget reads host:port, [v6]:port and tls://host:port', () => {
    expect(tcpTarget('10.0.0.5:7071')).toEqual({ host: '10.0.0.5', port: 7071, tls: false });
    expect(tcpTarget('tls://[::1]:7071')).toEqual({ host: '::1', port: 7071, tls: true });
    expect(tcpTarget('tls://node-a.example:9')).toEqual({ host: 'node-a.example', port: 9, tls: true });
  });

  it('NodeInfoSchema accepts tls:// and https://, and nothing else as a scheme', () => {
    const info = (tcp: string, http: string) => ({
      v: 1,
      id: 'a',
      endpoints: { http, tcp },
      methods: [],
      weight: 1,
      version: '1',
      startedAt: 'now',
      pid: 1,
      hostname: 'h',
    });
    expect(NodeInfoSchema.safeParse(info('tls://h:1', 'https://h:2')).success).toBe(true);
    expect(NodeInfoSchema.safeParse(info('h:1', 'http://h:2')).success).toBe(true);
    expect(NodeInfoSchema.safeParse(info('tcp://h:1', 'http://h:2')).success).toBe(false);
    expect(NodeInfoSchema.safeParse(info('tls:/h:1', 'http://h:2')).success).toBe(false);
  });
});

describe('nodeTlsError', () => {
  const coded = (code: string, message = 'm') => Object.assign(new Error(message), { code });

  it('turns certificate failures into a non-retryable NodeTlsError naming the node', () => {
    const error = transportError(coded('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), 'n1');
    expect(error).toBeInstanceOf(NodeTlsError);
    expect(error).toMatchObject({ nodeId: 'n1', retryable: false, code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(error.message).toBe(
      'TLS with node n1 failed: node certificate: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)',
    );
    const refused = nodeTlsError({ cause: coded('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED') }, 'n2');
    expect(refused?.reason).toContain("the node refused this client's certificate");
  });

  it('leaves other failures to TransportError', () => {
    expect(nodeTlsError(coded('ECONNRESET'), 'n1')).toBeUndefined();
    expect(transportError(coded('ECONNREFUSED'), 'n1')).toBeInstanceOf(TransportError);
  });
});

describe.skipIf(!OPENSSL)('TLS flags', () => {
  const certs = OPENSSL ? makeTestCerts() : undefined;
  afterAll(() => certs?.remove());
  const node = (...flags: string[]) => parseNodeCommand(['--standalone', ...flags], {});
  const usage = (f: () => unknown) => {
    try {
      f();
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      return (error as Error).message;
    }
    throw new Error('no UsageError');
  };

  it('arith-node reads --tls-cert, --tls-key and --tls-client-ca (or their env variables)', () => {
    const c = certs!;
    const run = node('--tls-cert', c.server.cert, '--tls-key', c.server.key, '--tls-client-ca', c.ca);
    expect(run.kind === 'run' && run.options.tls?.clientCa?.toString()).toBe(c.read(c.ca));
    const env = { ARITH_TLS_CERT: c.server.cert, ARITH_TLS_KEY: c.server.key };
    const fromEnv = parseNodeCommand(['--standalone'], env);
    expect(fromEnv.kind === 'run' && fromEnv.options.tls?.cert.toString()).toBe(c.read(c.server.cert));
    expect(fromEnv.kind === 'run' && fromEnv.options.tls?.clientCa).toBeUndefined();
  });

  it('says what is wrong with bad TLS flags', () => {
    const c = certs!;
    expect(usage(() => node('--tls-cert', c.server.cert))).toContain('--tls-cert and --tls-key go together');
    expect(usage(() => node('--tls-cert', '/nonexistent.pem', '--tls-key', c.server.key))).toMatch(
      /^--tls-cert: cannot read \/nonexistent.pem/,
    );
    const notPem = join(c.dir, 'not.pem');
    writeFileSync(notPem, 'hello');
    expect(usage(() => node('--tls-cert', notPem, '--tls-key', c.server.key))).toContain('is not a PEM file');
    expect(usage(() => node('--tls-cert', c.server.cert, '--tls-key', c.client.key))).toMatch(
      /^--tls-cert\/--tls-key: .*key values mismatch/,
    );
    expect(usage(() => node('--tls-client-ca', c.ca))).toContain('--tls-client-ca needs --tls-cert');
    expect(usage(() => toClientTls({ 'tls-key': c.client.key }))).toContain('go together');
    expect(toClientTls({ 'tls-ca': c.ca })).toEqual({ ca: Buffer.from(c.read(c.ca)) });
  });
});
