import type { Metrics } from '@clusterfunk/core'
import type { ManagementServer, ManagementServerInit } from '../src/index.js'
import { MemoryCluster, serveMemoryCluster } from '../src/testing.js'

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

export { selfSignedCert, type TestCert } from '../src/testing.js'
