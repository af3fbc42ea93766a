import { run as runCore } from './core.bench.js'
import { run as runCluster } from './cluster.bench.js'

process.stderr.write('raft protocol core (three nodes, in-memory queue)\n')
await runCore({ tiny: false })
process.stderr.write('raft cluster (three processes, gRPC on 127.0.0.1, classic-level with sync)\n')
await runCluster({ tiny: false })
