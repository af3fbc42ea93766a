import { delay, waitFor } from '@clusterfunk/core'
import { median, printFigure, quantile, type BenchOptions } from '@clusterfunk/core/bench'
import { LivenessChecker } from '../src/index.js'
import { killResponder, spawnResponder, type Responder } from '../test/fixtures/spawn.js'

const INTERVAL_MS = 100

/**
 * Crash detection time: responder processes are SIGKILLed at random moments
 * (so at a random phase of their probe interval) and the time from the kill
 * to `node:dead` is measured. Several responders run per round to save
 * time; each is watched and measured on its own.
 */
export async function run (options: BenchOptions): Promise<void> {
  const report = options.report ?? printFigure
  const rounds = options.tiny ? 1 : 4
  const perRound = options.tiny ? 2 : 5
  const checker = new LivenessChecker({}, { intervalMs: INTERVAL_MS, retries: 3 })
  const deadAt = new Map<string, number>()
  checker.addEventListener('node:dead', e => { deadAt.set(e.detail.nodeId, performance.now()) })
  const samples: number[] = []
  const running: Responder[] = []
  try {
    await checker.start()
    for (let round = 0; round < rounds; round++) {
      const ids = Array.from({ length: perRound }, (_, i) => `detect-${round}-${i}`)
      const responders = await Promise.all(ids.map(async id => await spawnResponder({ id })))
      running.push(...responders)
      ids.forEach((id, i) => { checker.add(id, { host: '127.0.0.1', port: (responders[i] as Responder).ports[0] as number }) })
      await waitFor(() => ids.every(id => checker.nodeStatus(id)?.state === 'alive'), { timeoutMs: 10_000, what: 'responders alive' })
      await Promise.all(ids.map(async (id, i) => {
        // A random moment within two intervals: a uniformly random phase.
        await delay(Math.random() * 2 * INTERVAL_MS)
        const r = responders[i] as Responder
        const killedAt = performance.now()
        process.kill(r.pid, 'SIGKILL')
        const at = await waitFor(() => deadAt.get(id), { timeoutMs: 5_000, intervalMs: 5, what: `${id} dead` })
        samples.push(at - killedAt)
        await killResponder(r)
        checker.remove(id)
      }))
    }
  } finally {
    await Promise.all(running.map(killResponder))
    await checker.stop()
  }
  report({ bench: 'liveness.detect.median', value: median(samples), unit: 'ms', goal: 450, better: 'lower' })
  report({ bench: 'liveness.detect.max', value: quantile(samples, 1), unit: 'ms', goal: 550, better: 'lower' })
}
