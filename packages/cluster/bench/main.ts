import { run as runCrash } from './crash.bench.js'
import { run as runMembership } from './membership.bench.js'
import { run as runLocks } from './locks.bench.js'
import { run as runRequests } from './requests.bench.js'

process.stderr.write('cluster crash recovery (5 node processes on 127.0.0.1, 10 000 shards, the fast timing preset: Raft fast, lease 150 ms, liveness 100 ms x 3; SWIM local)\n')
await runCrash({ tiny: false }, 'fast')
process.stderr.write('cluster crash recovery with the default timing preset, stable (Raft default, lease 1 s, liveness 200 ms x 5)\n')
await runCrash({ tiny: false }, 'stable')
process.stderr.write('cluster join and reshard (4 node processes + 1 joining; then 5, one frozen and thawed; 10 000 shards)\n')
await runMembership({ tiny: false })
process.stderr.write('cluster locks (3 node processes on 127.0.0.1, fsync on; a fresh holder per failover trial)\n')
await runLocks({ tiny: false })
process.stderr.write('requests between members (2 nodes in one process on 127.0.0.1, token proof, 64-byte echo)\n')
await runRequests({ tiny: false })
