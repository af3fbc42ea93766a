import type { Random } from '@clusterfunk/core'
import type { ChaosCluster, ChaosNode } from './cluster.js'
import type { NetLab } from './lab.js'

/** The faults a run draws from. */
export type FaultKind = 'kill-follower' | 'kill-leader' | 'stop' | 'term' | 'partition' | 'loss' | 'delay'

/** One injected fault: what, on whom, when it started and when its victim was back. */
export interface FaultRecord {
  kind: FaultKind
  victim: string
  /** How long the fault was held (ms): down time, pause, partition or loss. */
  holdMs: number
  at: number
  back: number
  /** From `back` until every node was Operational on one map of every node (ms); undefined: not within the bound. */
  recoveryMs: number | undefined
  /**
   * A restarted victim's own start, from its spawn (`back`): when its
   * modules were loaded (its first line) and when its parts listened (its
   * ready line), in ms; undefined for faults without a restart.
   */
  restart?: { loadedMs: number | undefined, readyMs: number | undefined }
}

/** The faults that restart their victim's process. */
export const RESTART_FAULTS: ReadonlySet<FaultKind> = new Set(['kill-follower', 'kill-leader', 'term'])

/** The faults that can run here: the network ones need the lab (and loss/delay the kernel's support). */
export function availableFaults (lab: NetLab | undefined): FaultKind[] {
  const kinds: FaultKind[] = ['kill-follower', 'kill-leader', 'stop', 'term']
  if (lab !== undefined) kinds.push('partition')
  if (lab?.abilities.loss === true) kinds.push('loss')
  if (lab?.abilities.delay === true) kinds.push('delay')
  return kinds
}

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/**
 * Injects one fault drawn from `random` and holds it, then undoes it (a
 * killed node is restarted from its data dir and ports) and resolves with
 * the fault and the moment its victim was back. Every draw comes from
 * `random`, so a seed replays the same faults in the same order.
 */
export async function injectFault (cluster: ChaosCluster, lab: NetLab | undefined, kinds: readonly FaultKind[], random: Random): Promise<Omit<FaultRecord, 'recoveryMs'>> {
  const kind = random.pick(kinds)
  const leader = cluster.leader()
  const followers = cluster.nodes.filter(n => n !== leader)
  const victim: ChaosNode = kind === 'kill-leader' && leader !== undefined ? leader : (kind === 'kill-follower' ? random.pick(followers) : random.pick(cluster.nodes))
  const index = cluster.nodes.indexOf(victim)
  const at = performance.now()
  let holdMs: number
  switch (kind) {
    case 'kill-follower':
    case 'kill-leader':
      holdMs = random.int(1_000, 3_000)
      victim.down = true
      victim.process.kill9()
      await sleep(holdMs)
      cluster.restart(victim)
      break
    case 'term':
      holdMs = random.int(500, 2_000)
      victim.down = true
      await victim.process.terminate(10_000)
      await sleep(holdMs)
      cluster.restart(victim)
      break
    case 'stop':
      holdMs = random.int(1_000, 5_000)
      victim.paused = true
      victim.process.child.kill('SIGSTOP')
      await sleep(holdMs)
      victim.process.child.kill('SIGCONT')
      victim.paused = false
      break
    case 'partition': {
      holdMs = random.int(3_000, 8_000)
      const rest = cluster.nodes.map((_, i) => i).filter(i => i !== index)
      await (lab as NetLab).partition([index], rest)
      await sleep(holdMs)
      await (lab as NetLab).heal()
      break
    }
    case 'loss':
      holdMs = random.int(5_000, 10_000)
      await (lab as NetLab).loss(index, random.int(10, 30) / 100)
      await sleep(holdMs)
      await (lab as NetLab).clear(index)
      break
    case 'delay':
      holdMs = random.int(5_000, 10_000)
      await (lab as NetLab).delay(index, random.int(20, 80))
      await sleep(holdMs)
      await (lab as NetLab).clear(index)
      break
  }
  return { kind, victim: victim.placement.id, holdMs, at, back: performance.now() }
}
