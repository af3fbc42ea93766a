// Test aids: an in-memory cluster to serve, raw method definitions for hand-made gRPC calls,
// and a self-signed certificate. Kept out of the main entry so tools never load them.
export { MemoryCluster, type MemoryClusterInit, type MemoryNodeInit } from './memory-cluster.js'
export { serveMemoryCluster, type MemoryClusterServers } from './memory-servers.js'
export { MemoryManagementSource } from './memory-source.js'
export { managementMethod, managementService, type ManagementMethod, type Wire } from './proto.js'
export { selfSignedCert, type TestCert } from './test-cert.js'
