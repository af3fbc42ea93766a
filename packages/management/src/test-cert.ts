import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

/** A certificate and its private key, PEM. */
export interface TestCert { cert: Buffer, key: Buffer }

/**
 * A self-signed certificate (by default for 127.0.0.1 and localhost), made
 * with openssl in a temp dir: for tests of TLS servers and clients, which
 * need one and must not ship one.
 */
export async function selfSignedCert (commonName = 'clusterfunk-test', subjectAltName = 'IP:127.0.0.1,DNS:localhost'): Promise<TestCert> {
  const dir = await mkdtemp(path.join(tmpdir(), 'clusterfunk-tls-'))
  try {
    const keyFile = path.join(dir, 'key.pem')
    const certFile = path.join(dir, 'cert.pem')
    await promisify(execFile)('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', `/CN=${commonName}`,
      '-addext', `subjectAltName=${subjectAltName}`
    ], { timeout: 20_000 })
    return { cert: await readFile(certFile), key: await readFile(keyFile) }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
