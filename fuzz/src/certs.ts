import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'

/** One self-signed certificate every node of the secured cluster shares (it is its own CA). */
export interface ClusterCert {
  certFile: string
  keyFile: string
  cert: Buffer
  key: Buffer
}

/**
 * Makes a certificate for IP:127.0.0.1 (what nodes check each other against)
 * and DNS:localhost (a name a client can dial so TLS gets no IP as its
 * server name), with openssl, in `dir`.
 */
export async function makeClusterCert (dir: string): Promise<ClusterCert> {
  const certFile = path.join(dir, 'cert.pem')
  const keyFile = path.join(dir, 'key.pem')
  await promisify(execFile)('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=clusterfunk-fuzz',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-addext', 'basicConstraints=critical,CA:TRUE'
  ])
  return { certFile, keyFile, cert: await readFile(certFile), key: await readFile(keyFile) }
}
