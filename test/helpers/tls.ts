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

/**
 * Makes this process's global fetch trust `certificate` until the returned function is called.
 *
 * Why: the Graph client sends its bearer token only to https URLs, so the fake Graph serves
 * https; Node 20 reads NODE_EXTRA_CA_CERTS only at start-up and has no API to add a CA later.
 * fetch (undici) looks its dispatcher up under a global symbol — the same hook undici's own
 * setGlobalDispatcher uses — so a test can install an agent that trusts the certificate,
 * without any switch in product code. Only fetch is affected; node:https keeps its trust store.
 */
export async function trustCertificateInFetch(certificate: TestCertificate): Promise<() => void> {
  const key = Symbol.for('undici.globalDispatcher.1');
  const slots = globalThis as unknown as Record<symbol, object | undefined>;
  if (!slots[key]) await fetch('data:,').catch(() => undefined); // lets undici install its default agent
  const previous = slots[key];
  if (!previous) throw new Error('fetch has no global dispatcher to replace');
  const Agent = previous.constructor as new (options: { connect: { ca: string } }) => object;
  slots[key] = new Agent({ connect: { ca: certificate.cert } });
  return () => {
    slots[key] = previous;
  };
}
