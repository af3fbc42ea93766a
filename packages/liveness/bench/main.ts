import { run as codec } from './codec.bench.js'
import { run as detect } from './detect.bench.js'
import { run as cpu } from './cpu.bench.js'

// Full-size runs of every liveness benchmark, one after the other: the
// figures of one must not be disturbed by another running beside it.
for (const run of [codec, detect, cpu]) {
  await run({ tiny: false })
}
