import { run } from './cluster.bench.js'

await run({ tiny: process.argv.includes('--tiny') })
