import { run } from './swim.bench.js'

process.stderr.write('swim (16 simulated nodes, LAN preset; core and codec CPU time)\n')
await run({ tiny: false })
