import { delay, waitFor } from '@clusterfunk/core'
import { printFigure, type BenchOptions, type Figure } from '@clusterfunk/core/bench'
import { createSocket } from 'node:dgram'
import { KIND_PROBE, LivenessChecker, packetTemplate, sealPacket, writeNonce } from '../src/index.js'
import { killResponder, spawnResponder, type Responder } from '../test/fixtures/spawn.js'

const INTERVAL_MS = 100
const KEY = 'liveness-bench-key-0123456789'

/**
 * The checker's CPU with 1 000 nodes probed every 100 ms. The endpoints run
 * in a child process, so `process.cpuUsage()` here is the checker's alone.
 * The replies/s achieved are reported beside it: a CPU figure is only
 * honest if every node really was probed and answered each interval.
 */
export async function run (options: BenchOptions): Promise<void> {
  const report = options.report ?? printFigure
  await measure(options, report, undefined, '')
  await measure(options, report, KEY, '.hmac')
  await measureFloor(options, report)
}

/**
 * What Node's UDP stack alone costs at the same packet rate: the same
 * responders answer the same valid probes, sent from a bare socket in
 * the same 5 ms slices, with no checker logic at all (no timers per node,
 * no decoding, no verdicts). The checker figure cannot go below this; the
 * difference between the two is the checker's own cost.
 */
async function measureFloor (options: BenchOptions, report: (f: Figure) => void): Promise<void> {
  const nodes = options.tiny ? 20 : 1000
  const windowMs = options.tiny ? 500 : 12_000
  const responder: Responder = await spawnResponder({ id: 'cpu', count: nodes })
  const socket = createSocket({ type: 'udp4' })
  let timer: ReturnType<typeof setInterval> | undefined
  try {
    await new Promise<void>(resolve => { socket.bind(0, '127.0.0.1', resolve) })
    let replies = 0
    socket.on('message', () => { replies++ })
    const probes = responder.ports.map((_port, i) => {
      const buf = packetTemplate(KIND_PROBE, Buffer.from(`cpu-${i}`))
      writeNonce(buf, i, 0)
      return buf.subarray(0, sealPacket(buf, undefined))
    })
    const perSlice = Math.ceil(nodes / (INTERVAL_MS / 5))
    let next = 0
    timer = setInterval(() => {
      for (let k = 0; k < perSlice; k++) {
        socket.send(probes[next] as Buffer, responder.ports[next] as number, '127.0.0.1')
        next = (next + 1) % nodes
      }
    }, 5)
    await delay(options.tiny ? 200 : 3_000)
    const r0 = replies
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    await delay(windowMs)
    const cpu = process.cpuUsage(cpu0)
    const seconds = (performance.now() - t0) / 1000
    report({ bench: 'liveness.udp_floor.cpu.1000', value: (cpu.user + cpu.system) / 1e6 / seconds * 100, unit: '%', better: 'lower' })
    report({ bench: 'liveness.udp_floor.replies_per_s.1000', value: (replies - r0) / seconds, unit: '1/s', better: 'higher' })
  } finally {
    if (timer !== undefined) clearInterval(timer)
    await new Promise<void>(resolve => { socket.close(() => { resolve() }) })
    await killResponder(responder)
  }
}

async function measure (options: BenchOptions, report: (f: Figure) => void, key: string | undefined, suffix: string): Promise<void> {
  const nodes = options.tiny ? 20 : 1000
  const warmupMs = options.tiny ? 200 : 3_000
  const windowMs = options.tiny ? 500 : 12_000
  const responder = await spawnResponder({ id: 'cpu', count: nodes, ...(key === undefined ? {} : { key }) })
  const checker = new LivenessChecker({}, { intervalMs: INTERVAL_MS, ...(key === undefined ? {} : { key }) })
  try {
    responder.ports.forEach((port, i) => { checker.add(`cpu-${i}`, { host: '127.0.0.1', port }) })
    await checker.start()
    await waitFor(() => checker.nodes().every(n => n.state === 'alive'), { timeoutMs: 30_000, what: 'every node alive' })
    await delay(warmupMs) // steady state: JIT warm, RTT averages settled
    const s0 = checker.stats()
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    await delay(windowMs)
    const cpu = process.cpuUsage(cpu0)
    const seconds = (performance.now() - t0) / 1000
    const s1 = checker.stats()
    const percent = (cpu.user + cpu.system) / 1e6 / seconds * 100
    report({ bench: `liveness.checker.cpu.1000${suffix}`, value: percent, unit: '%', ...(suffix === '' ? { goal: 10 } : {}), better: 'lower' })
    report({ bench: `liveness.checker.replies_per_s.1000${suffix}`, value: (s1.replies - s0.replies) / seconds, unit: '1/s', better: 'higher' })
    report({ bench: `liveness.checker.timeouts_per_s.1000${suffix}`, value: (s1.timeouts - s0.timeouts) / seconds, unit: '1/s', better: 'lower' })
  } finally {
    await checker.stop()
    await killResponder(responder)
  }
}
