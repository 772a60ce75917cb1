/**
 * A throwaway PKI for the test cluster's mTLS, made with the openssl command line: one CA, the frontend's server
 * certificate (for a DNS name only, so clients must check it by name: TEMPORAL_TLS_SERVER_NAME), and client
 * certificates for the product and for Temporal's own system worker. EC P-256 keys in PKCS#8, which Go, rustls
 * (the worker's core) and grpc-js (the client) all read.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { findOnPath } from '../go-install';

export interface CertPair {
  cert: string;
  key: string;
}

export interface TestPki {
  caCert: string;
  /** The name in the frontend's certificate (its only subjectAltName). */
  serverName: string;
  frontend: CertPair;
  /** The product's client certificate (TEMPORAL_TLS_CERT / TEMPORAL_TLS_KEY). */
  product: CertPair;
  /** Temporal's system worker connects to the frontend too, and mTLS applies to it. */
  systemWorker: CertPair;
  /** A CA the cluster does not trust, with a client certificate: must be refused. */
  stranger: CertPair;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string): CertPair {
  const pair = { cert: path.join(dir, `${name}.pem`), key: path.join(dir, `${name}.key`) };
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', pair.key], dir);
  openssl(['req', '-x509', '-new', '-key', pair.key, '-sha256', '-days', '2', '-subj', `/CN=${name}`, '-out', pair.cert, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  return pair;
}

function issue(dir: string, ca: CertPair, name: string, ext: string[]): CertPair {
  const pair = { cert: path.join(dir, `${name}.pem`), key: path.join(dir, `${name}.key`) };
  const csr = path.join(dir, `${name}.csr`);
  const extFile = path.join(dir, `${name}.ext`);
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', pair.key], dir);
  openssl(['req', '-new', '-key', pair.key, '-subj', `/CN=${name}`, '-out', csr], dir);
  fs.writeFileSync(extFile, ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', ...ext].join('\n'));
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-sha256', '-days', '2', '-extfile', extFile, '-out', pair.cert], dir);
  fs.rmSync(csr);
  fs.rmSync(extFile);
  return pair;
}

export function makeTestPki(dir: string, serverName = 'frontend.cluster.order-review.test'): TestPki {
  if (!findOnPath('openssl')) throw new Error('the mTLS test cluster needs the openssl command (Debian: `apt-get install openssl`)');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = makeCa(dir, 'test-ca');
  const client = ['extendedKeyUsage=clientAuth'];
  const pki: TestPki = {
    caCert: ca.cert,
    serverName,
    frontend: issue(dir, ca, 'frontend', ['extendedKeyUsage=serverAuth', `subjectAltName=DNS:${serverName}`]),
    product: issue(dir, ca, 'order-review', client),
    systemWorker: issue(dir, ca, 'temporal-system-worker', client),
    stranger: issue(dir, makeCa(dir, 'stranger-ca'), 'stranger', client),
  };
  fs.rmSync(path.join(dir, 'test-ca.key'));
  return pki;
}
