import type { ShardCoordinator } from '../coordinator/coordinator.js'
import type { CoordinatorInit } from '../coordinator/types.js'
import { loadNodeId } from './node-id.js'
import type { ResolvedClusterInit } from './options.js'
import { assembleParts, type ClusterParts, type PartsDeps } from './parts.js'

/**
 * Where a node's identity and parts come from. The default reads (or
 * creates) `dataDir/node-id` and builds the real parts (`assembleParts`);
 * a simulation passes one that builds parts on virtual networks and disks
 * (`@clusterfunk/cluster/sim`), so the same core runs deterministically.
 */
export interface PartsFactory {
  /** This node's id, from the options (and, for the default, the data directory). */
  nodeId: (options: ResolvedClusterInit) => Promise<string>
  /** Builds (does not start) every part; the core starts and stops them. */
  assemble: (options: ResolvedClusterInit, deps: PartsDeps) => Promise<ClusterParts>
  /** Builds the shard-map coordinator. Default `new ShardCoordinator(init)`; tests pass a mutated one to prove the checks catch it. */
  coordinator?: (init: CoordinatorInit) => ShardCoordinator
}

/** The real parts: the node id kept in `dataDir`, gRPC, UDP, classic-level. */
export const realParts: PartsFactory = {
  nodeId: async o => await loadNodeId(o.dataDir, o.nodeId),
  assemble: assembleParts
}
