import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type Handler, type TestServer } from './http-server';

/** A throwaway self-signed certificate, valid one day, for local HTTPS fakes. */
export interface TestCertificate {
  dir: string;
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
  remove(): void;
}

/**
 * Generates a certificate for 127.0.0.1, localhost and `dnsNames` with /usr/bin/openssl into a
 * fresh temp dir. A process trusts it through NODE_EXTRA_CA_CERTS=<certPath>, read at start-up.
 */
export function createTestCertificate(options: { dnsNames?: string[] } = {}): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'argus-tls-'));
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  const altNames = ['IP:127.0.0.1', 'DNS:localhost', ...(options.dnsNames ?? []).map((name) => `DNS:${name}`)].join(',');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', `subjectAltName=${altNames}`, '-keyout', keyPath, '-out', certPath],
    { stdio: 'ignore' },
  );
  return {
    dir,
    certPath,
    keyPath,
    cert: readFileSync(certPath, 'utf8'),
    key: readFileSync(keyPath, 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Like startTestServer, over HTTPS with `certificate`. */
export function startHttpsTestServer(handler: Handler, certificate: TestCertificate): Promise<TestServer> {
  return startTestServer(handler, createServer({ cert: certificate.cert, key: certificate.key }));
}
