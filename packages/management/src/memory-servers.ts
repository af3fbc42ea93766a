import type { MemoryCluster } from './memory-cluster.js'
import { MANAGEMENT_ENDPOINT } from './types.js'
import { ManagementServer, type ManagementServerComponents, type ManagementServerInit } from './server.js'

/** Management servers started for the nodes of a `MemoryCluster`. */
export interface MemoryClusterServers {
  /** Each node's server, by node id. */
  servers: Map<string, ManagementServer>
  /** Stops every server. */
  stop: () => Promise<void>
}

/**
 * Starts a management server (options `init`) for each node in `ids`,
 * each answering from `cluster`'s view of that node, and publishes its
 * endpoint on the node, so that followers can forward to the leader. When
 * one fails to start, the ones started are stopped and the error thrown.
 * For tests and demos of management clients such as funkctl.
 */
export async function serveMemoryCluster (
  cluster: MemoryCluster, ids: readonly string[], init: ManagementServerInit = {}, components: Omit<ManagementServerComponents, 'source'> = {}
): Promise<MemoryClusterServers> {
  const servers = new Map<string, ManagementServer>()
  const stop = async (): Promise<void> => { await Promise.all([...servers.values()].map(async s => { await s.stop() })) }
  try {
    for (const id of ids) {
      const server = new ManagementServer({ ...components, source: cluster.source(id) }, init)
      servers.set(id, server)
      await server.start()
      cluster.setEndpoint(id, MANAGEMENT_ENDPOINT, server.endpoint())
    }
  } catch (err) {
    await stop()
    throw err
  }
  return { servers, stop }
}
