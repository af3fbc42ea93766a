import { run } from './sharding.bench.js'

process.stderr.write('sharding (10 000 shards over 50 nodes)\n')
await run({ tiny: false })
