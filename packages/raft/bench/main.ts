import { run } from './core.bench.js'

process.stderr.write('raft protocol core (three nodes, in-memory queue)\n')
await run({ tiny: false })
