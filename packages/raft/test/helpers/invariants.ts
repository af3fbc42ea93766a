import type { Entry, NodeId } from '../../src/index.js'
import { text, type Network } from './network.js'

interface Recorded { term: number, data: string }

function termAt (net: Network, id: NodeId, index: number): number | undefined {
  return net.node(id).storage.term(index)
}

function entryAt (net: Network, id: NodeId, index: number): Entry {
  return net.node(id).storage.entries(index, index + 1, Infinity)[0] as Entry
}

function describeEntry (e: Entry): string {
  return `${e.term}:${e.type}:${text(e)}`
}

/**
 * Checks the Raft safety properties (Figure 3) over a network after every
 * step: election safety, leader append-only, log matching, leader
 * completeness and state machine safety, plus "a committed entry never
 * changes". Throws with a description of the first violation.
 */
export class InvariantChecker {
  private readonly leaders = new Map<number, NodeId>()
  /** Committed entries, with the highest term any node had when the commit was first seen. */
  private readonly committed = new Map<number, { desc: string, seenInTerm: number }>()
  private readonly applied = new Map<number, Recorded>()
  private readonly appliedChecked = new Map<NodeId, number>()
  private readonly leaderLogs = new Map<NodeId, { term: number, terms: Map<number, number> }>()
  checks = 0

  constructor (private readonly net: Network) {}

  check (): void {
    this.checks++
    const net = this.net
    const maxTerm = Math.max(...[...net.nodes.values()].map(n => n.core.status().term))
    for (const [id, node] of net.nodes) {
      const s = node.core.status()
      const storage = node.storage
      // Election safety: at most one leader per term.
      if (s.role === 'leader') {
        const known = this.leaders.get(s.term)
        if (known !== undefined && known !== id) throw new Error(`election safety: ${known} and ${id} both lead term ${s.term}`)
        this.leaders.set(s.term, id)
        this.checkAppendOnly(id, s.term)
        // Leader completeness: a leader holds every entry committed in an earlier term.
        for (const [index, { desc, seenInTerm }] of this.committed) {
          if (index < storage.firstIndex() || seenInTerm >= s.term) continue
          if (index > storage.lastIndex() || describeEntry(entryAt(net, id, index)) !== desc) {
            throw new Error(`leader completeness: leader ${id} of term ${s.term} lacks committed entry ${index} (${desc})`)
          }
        }
      } else {
        this.leaderLogs.delete(id)
      }
      // Committed entries never change.
      const commit = Math.min(storage.savedHardState.commit, storage.lastIndex())
      for (let i = Math.max(storage.firstIndex(), 1); i <= commit; i++) {
        const desc = describeEntry(entryAt(net, id, i))
        const known = this.committed.get(i)
        if (known === undefined) this.committed.set(i, { desc, seenInTerm: maxTerm })
        else if (known.desc !== desc) throw new Error(`committed entry ${i} changed on ${id}: ${known.desc} became ${desc}`)
      }
      // State machine safety: every node applies the same entry at each index.
      const from = this.appliedChecked.get(id) ?? 0
      for (let k = from; k < node.applied.length; k++) {
        const e = node.applied[k] as Entry
        const known = this.applied.get(e.index)
        const rec = { term: e.term, data: text(e) }
        if (known === undefined) this.applied.set(e.index, rec)
        else if (known.term !== rec.term || known.data !== rec.data) throw new Error(`state machine safety: ${id} applied ${e.index} as ${rec.term}/${rec.data}, others ${known.term}/${known.data}`)
      }
      this.appliedChecked.set(id, node.applied.length)
    }
    this.checkLogMatching()
  }

  /** Leader append-only: within its term a leader never changes an entry it holds. */
  private checkAppendOnly (id: NodeId, term: number): void {
    const storage = this.net.node(id).storage
    const prev = this.leaderLogs.get(id)
    const terms = new Map<number, number>()
    for (let i = storage.firstIndex(); i <= storage.lastIndex(); i++) terms.set(i, storage.term(i) as number)
    if (prev !== undefined && prev.term === term) {
      for (const [i, t] of prev.terms) {
        if (i >= storage.firstIndex() && terms.get(i) !== t) throw new Error(`leader append-only: ${id} changed entry ${i} in term ${term}`)
      }
    }
    this.leaderLogs.set(id, { term, terms })
  }

  /** Log matching: two logs with an entry of the same index and term are identical up to it. */
  private checkLogMatching (): void {
    const ids = [...this.net.nodes.keys()]
    for (let x = 0; x < ids.length; x++) {
      for (let y = x + 1; y < ids.length; y++) {
        const a = ids[x] as NodeId
        const b = ids[y] as NodeId
        const sa = this.net.node(a).storage
        const sb = this.net.node(b).storage
        const lo = Math.max(sa.firstIndex(), sb.firstIndex())
        let matched = false
        for (let i = Math.min(sa.lastIndex(), sb.lastIndex()); i >= lo; i--) {
          const same = termAt(this.net, a, i) === termAt(this.net, b, i)
          if (matched && (!same || describeEntry(entryAt(this.net, a, i)) !== describeEntry(entryAt(this.net, b, i)))) {
            throw new Error(`log matching: ${a} and ${b} share an entry above ${i} but differ at ${i}`)
          }
          if (same) matched = true
        }
      }
    }
  }
}
