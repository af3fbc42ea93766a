import { run as runSim } from './swim.bench.js'
import { run as runDetect } from './detect.bench.js'
import { run as runJoin } from './join.bench.js'
import { run as runSteady } from './steady.bench.js'
import { run as runMemory } from './memory.bench.js'
import { run as runFalsePositives } from './false-positives.bench.js'
import { run as runEvents } from './events.bench.js'

process.stderr.write('swim (16 simulated nodes, LAN preset; core and codec CPU time)\n')
await runSim({ tiny: false })
process.stderr.write('swim on real UDP/TCP over loopback (2 shared cores: noisy)\n')
await runDetect({ tiny: false })
await runJoin({ tiny: false })
await runSteady({ tiny: false })
await runMemory({ tiny: false })
await runFalsePositives({ tiny: false })
process.stderr.write('user events and queries: 16 members on loopback, local preset; the same with 16 serf agents (profile local) side by side\n')
await runEvents({ tiny: false })
