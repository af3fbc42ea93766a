import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** A self-signed certificate for 127.0.0.1 (openssl), its key, and the path of the certificate file (for redis-cli --cacert). */
export function selfSigned (dir: string): { cert: Buffer, key: Buffer, certPath: string } {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'machine-cert-'))
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', '/CN=machine-test', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout', path.join(tmp, 'key.pem'), '-out', path.join(tmp, 'cert.pem')], { stdio: 'ignore' })
    const cert = readFileSync(path.join(tmp, 'cert.pem'))
    const key = readFileSync(path.join(tmp, 'key.pem'))
    const certPath = path.join(dir, 'cert.pem')
    execFileSync('cp', [path.join(tmp, 'cert.pem'), certPath])
    return { cert, key, certPath }
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}
