import type { Entry, NodeId } from '../../src/index.js'
import type { ApplyObserver } from './sim-kv.js'
import type { SimCluster } from './sim-cluster.js'

const dec = new TextDecoder()
const describe = (e: Entry): string => `${e.term}/${e.type}/${dec.decode(e.data)}`

/**
 * The Raft safety properties over whole simulated nodes, checked after
 * every simulation event:
 *
 * - election safety: at most one leader per term (over the whole run,
 *   crashes included);
 * - log matching: an (index, term) names one entry with one predecessor
 *   term in every durable log, ever, so two logs that share it are equal
 *   up to it;
 * - committed entries are never lost or changed: an entry at or below a
 *   node's durable commit index equals the one first seen committed there,
 *   and every later leader holds it (leader completeness);
 * - state machine safety: every FSM, in every incarnation, applies the
 *   same sequence (a digest per applied index, snapshots included), only
 *   committed entries, in increasing order.
 */
export class SimInvariants {
  private readonly leaders = new Map<number, NodeId>()
  private readonly entries = new Map<string, { desc: string, prevTerm: number | undefined }>()
  private readonly committed = new Map<number, { desc: string, term: number, seenInTerm: number }>()
  private readonly digests = new Map<number, string>()
  private readonly lastApplied = new Map<NodeId, number>()
  private readonly seenLogs = new Map<NodeId, string>()
  private violation: Error | undefined
  checks = 0
  applies = 0

  constructor (private readonly cluster: SimCluster) {}

  /** The observer an FSM of node `id` reports to (a fresh incarnation starts from its restore). */
  observer (id: NodeId): ApplyObserver {
    this.lastApplied.set(id, 0)
    // A throw inside the FSM only stops that node (the driver catches it), so it is also kept for check().
    const guard = (fn: () => void): void => {
      try { fn() } catch (err) { this.violation ??= err as Error; throw err }
    }
    return {
      onApply: (index, term, digest) => { guard(() => {
        this.applies++
        const last = this.lastApplied.get(id) ?? 0
        if (index <= last) throw new Error(`state machine safety: ${id} applied ${index} after ${last}`)
        this.lastApplied.set(id, index)
        const c = this.committed.get(index)
        const log = this.cluster.live.get(id)?.raft.view()?.log
        const commit = log === undefined ? 0 : log.savedHardState.commit
        if (c !== undefined && c.term !== term) throw new Error(`state machine safety: ${id} applied ${index}/${term} but ${index}/${c.term} is committed`)
        if (c === undefined && index > commit) throw new Error(`state machine safety: ${id} applied ${index} above its durable commit index ${commit}`)
        this.digest(id, index, digest)
      }) },
      onRestore: (index, digest) => { guard(() => {
        this.lastApplied.set(id, index)
        if (index > 0) this.digest(id, index, digest)
      }) }
    }
  }

  check (): void {
    if (this.violation !== undefined) throw this.violation
    this.checks++
    for (const [id, inc] of this.cluster.live) {
      // No disk faults are injected, so a node that stopped serving met state it should never see.
      const failure = inc.raft.failed()
      if (failure !== undefined) throw new Error(`node ${id} stopped serving: ${failure.message}`, { cause: failure })
    }
    const views = [...this.cluster.live].map(([id, inc]) => [id, inc.raft.view()] as const)
    const maxTerm = Math.max(0, ...views.map(([, v]) => v?.term ?? 0))
    for (const [id, v] of views) {
      if (v === undefined) continue
      if (v.role === 'leader') {
        const known = this.leaders.get(v.term)
        if (known !== undefined && known !== id) throw new Error(`election safety: ${known} and ${id} both lead term ${v.term}`)
        this.leaders.set(v.term, id)
      }
      const log = v.log
      const first = log.firstIndex()
      const last = log.lastIndex()
      const commit = Math.min(log.savedHardState.commit, last)
      const signature = `${first}:${last}:${String(log.term(last))}:${commit}:${v.role}:${v.term}`
      if (this.seenLogs.get(id) === signature) continue
      this.seenLogs.set(id, signature)
      const held = last >= first ? log.entries(first, last + 1, Infinity) : []
      for (const e of held) {
        // Log matching, in the form "an (index, term) always names the same entry after the same term".
        const k = `${e.index}:${e.term}`
        const desc = describe(e)
        const prevTerm = log.term(e.index - 1)
        const known = this.entries.get(k)
        if (known === undefined) this.entries.set(k, { desc, prevTerm })
        else if (known.desc !== desc || known.prevTerm !== prevTerm) throw new Error(`log matching: (${k}) on ${id} is ${desc} after term ${String(prevTerm)}, elsewhere ${known.desc} after term ${String(known.prevTerm)}`)
        // Committed entries never change.
        if (e.index > commit) continue
        const c = this.committed.get(e.index)
        if (c === undefined) this.committed.set(e.index, { desc, term: e.term, seenInTerm: maxTerm })
        else if (c.desc !== desc) throw new Error(`committed entry ${e.index} changed on ${id}: ${c.desc} became ${desc}`)
      }
      // Leader completeness: a leader of a later term holds every committed entry (or a snapshot past it).
      if (v.role === 'leader') {
        for (const [index, c] of this.committed) {
          if (c.seenInTerm >= v.term || index < first) continue
          if (index > last || describe(log.entries(index, index + 1, Infinity)[0] as Entry) !== c.desc) {
            throw new Error(`committed entry lost: leader ${id} of term ${v.term} lacks entry ${index} (${c.desc})`)
          }
        }
      }
    }
  }

  /** The highest index known committed. */
  get commitIndex (): number {
    return Math.max(0, ...this.committed.keys())
  }

  /** Leaders seen, by term. */
  get terms (): number {
    return this.leaders.size
  }

  private digest (id: NodeId, index: number, digest: string): void {
    const known = this.digests.get(index)
    if (known === undefined) this.digests.set(index, digest)
    else if (known !== digest) throw new Error(`state machine safety: ${id} reached a different state at ${index} (${digest}, elsewhere ${known})`)
  }
}
