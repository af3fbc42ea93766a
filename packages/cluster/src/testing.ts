// Test aids, kept out of the main entry so a node never loads them: an in-process multicast
// network for zeroconf, and the management package's in-memory cluster, re-exported for
// code that imported it from here.
export { MemoryMulticastNetwork } from './zeroconf/memory-network.js'
export {
  MemoryCluster, MemoryManagementSource, serveMemoryCluster, type MemoryClusterInit, type MemoryClusterServers, type MemoryNodeInit
} from '@clusterfunk/management/testing'
