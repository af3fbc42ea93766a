import { printFigure, type BenchOptions } from '@clusterfunk/core/bench'
import type { Swim } from '../src/index.js'
import { killMember } from '../test/fixtures/spawn.js'
import { joinAll, settle, spawnVictim, startMembers, stopAll, type ClusterSpec } from './cluster-kit.js'

/**
 * False positives under stalls, LAN preset, N = 16: one member in its own
 * process is frozen with SIGSTOP for 2 s every 10 s over 60 s (SIGCONT
 * after each). The figure counts members that anyone — the 15 members in
 * this process or the stalled one itself — declared failed. The 2 s stall
 * is shorter than the minimum suspicion timeout (4.8 s at N = 16), so the
 * stalled member is suspected and must refute once it runs again.
 */
export async function run (options: BenchOptions): Promise<void> {
  const report = options.report ?? printFigure
  const n = options.tiny ? 4 : 16
  const spec: ClusterSpec = options.tiny ? { preset: 'local', config: { probeIntervalMs: 200, probeTimeoutMs: 80 } } : { preset: 'lan' }
  const periodMs = options.tiny ? 1000 : 10_000
  const stallMs = options.tiny ? 200 : 2000
  const cycles = options.tiny ? 2 : 6
  const nodes = await startMembers(n - 1, 'fp-', spec)
  let suspectedByOthers = 0
  let suspectedByStalled = 0
  const failed = new Set<string>()
  try {
    await joinAll(nodes)
    const victim = await spawnVictim('fp-stalled', nodes[0] as Swim, nodes, spec)
    try {
      const eventsBefore = victim.events.length
      for (const node of nodes) {
        node.addEventListener('member:suspect', () => { suspectedByOthers++ })
        node.addEventListener('member:failed', (e) => { failed.add(e.detail.id) })
      }
      for (let c = 0; c < cycles; c++) {
        await settle(periodMs - stallMs)
        process.kill(victim.pid, 'SIGSTOP')
        await settle(stallMs)
        process.kill(victim.pid, 'SIGCONT')
      }
      await settle(periodMs)
      for (const e of victim.events.slice(eventsBefore)) {
        if (e.event === 'member:failed') failed.add(e.id)
        if (e.event === 'member:suspect') suspectedByStalled++
      }
    } finally {
      await killMember(victim)
    }
  } finally {
    await stopAll(nodes)
  }
  process.stderr.write(`    false positives: ${failed.size} member(s) declared failed [${[...failed].join(', ')}]; suspicion events: ${suspectedByOthers} raised by the ${n - 1} others, ${suspectedByStalled} by the stalled member\n`)
  report({ bench: 'swim.false_positives.16', value: failed.size, unit: 'members', goal: 0, better: 'lower' })
}
