import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import type { Metrics } from '@clusterfunk/core'
import { MemoryCluster, serveMemoryCluster, type ManagementServer, type ManagementServerInit } from '../../src/index.js'

/** A cluster of three nodes a (leader), b, c, each with a started management server on 127.0.0.1. */
export interface Harness {
  cluster: MemoryCluster
  servers: Map<string, ManagementServer>
  stop: () => Promise<void>
}

export async function startHarness (init: ManagementServerInit = {}, ids: readonly string[] = ['a', 'b', 'c'], metrics?: Metrics): Promise<Harness> {
  const cluster = new MemoryCluster({
    name: 'orders',
    shardCount: 1000,
    createdAt: Date.UTC(2026, 0, 2, 3, 4, 5),
    nodes: ids.map(id => ({ id, endpoints: { http: `http://10.0.0.${id.charCodeAt(0) - 96}:8080` } }))
  })
  const { servers, stop } = await serveMemoryCluster(cluster, ids, init, metrics === undefined ? {} : { metrics })
  return { cluster, servers, stop }
}

/** The server of node `id`. */
export function serverOf (h: Harness, id: string): ManagementServer {
  const server = h.servers.get(id)
  if (server === undefined) throw new Error(`no server ${id}`)
  return server
}

/** A self-signed certificate (by default for 127.0.0.1 and localhost), made with openssl in a temp dir. */
export interface TestCert { cert: Buffer, key: Buffer }

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
