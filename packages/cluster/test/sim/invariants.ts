import type { ShardMap } from '@clusterfunk/sharding'
import type { ClusterWorld } from './cluster-world.js'

/** A broken invariant: the message says which, where and when. */
export class InvariantViolation extends Error {
  override readonly name = 'InvariantViolation'
}

/**
 * The safety rules of the shard map, checked across every running node
 * after every simulation event:
 *
 * 1. At most one map is ever committed under a version: every node that
 *    holds version v as its committed map holds the same map (same nodes,
 *    same owner for every shard), for the whole run.
 * 2. A node that says `Operational` holds the latest committed map: the
 *    highest version any node has ever applied a commit of. (A node that
 *    lags — it has not applied that commit yet — must say something else:
 *    `Resharding` once it applied the proposal, `Voting` without leader
 *    contact, `Joining` when the map leaves it out.)
 * 3. Every shard has at most one serving owner: no two `Operational` nodes
 *    each own the same shard in the map they hold. (Exactly one once the
 *    cluster settled; `converged` checks that.)
 */
export class ClusterInvariants {
  /** Every committed map seen, by version. */
  readonly committed = new Map<number, string>()
  /** The highest committed version seen. */
  latest = 0
  checks = 0
  private readonly prints = new WeakMap<ShardMap, string>()
  private lastKey = ''

  constructor (private readonly world: ClusterWorld) {}

  /** Checks every rule now. @throws InvariantViolation */
  check (): void {
    const nodes = this.world.observed().map(({ id, cluster }) => ({ id, state: cluster.state, version: cluster.shards.version, map: cluster.shards.map }))
    // Nothing a rule reads changed since the last check: skip the work.
    const key = nodes.map(n => `${n.id}:${n.state}:${n.version}`).join(' ')
    if (key === this.lastKey) return
    this.lastKey = key
    this.checks++
    const at = `at ${this.world.sim.now().toFixed(3)} ms`
    for (const n of nodes) {
      if (n.map === undefined) continue
      const print = this.print(n.map)
      const known = this.committed.get(n.version)
      if (known === undefined) {
        this.committed.set(n.version, print)
        if (n.version > this.latest) this.latest = n.version
      } else if (known !== print) {
        throw new InvariantViolation(`${at}: two maps committed as version ${n.version}; ${n.id} holds ${print}, another node held ${known}`)
      }
    }
    const serving = nodes.filter(n => n.state === 'Operational')
    for (const n of serving) {
      if (n.version !== this.latest) {
        throw new InvariantViolation(`${at}: ${n.id} is Operational on map version ${n.version} while version ${this.latest} is committed (${describe(nodes)})`)
      }
    }
    const owners = new Map<number, string>()
    for (const n of serving) {
      for (const shard of n.map?.shardsOf(n.id) ?? []) {
        const other = owners.get(shard)
        if (other !== undefined) throw new InvariantViolation(`${at}: shard ${shard} has two serving owners, ${other} and ${n.id} (${describe(nodes)})`)
        owners.set(shard, n.id)
      }
    }
  }

  /**
   * The settled cluster, once faults stopped: every member is running and
   * `Operational` on one committed version whose map holds exactly the
   * members, and every shard has its one serving owner.
   */
  converged (): boolean {
    const members = this.world.members()
    const running = this.world.running()
    if (running.length !== members.length || running.length === 0) return false
    const version = running[0]?.cluster.shards.version ?? 0
    if (version === 0) return false
    for (const { cluster } of running) if (cluster.state !== 'Operational' || cluster.shards.version !== version) return false
    const map = running[0]?.cluster.shards.map
    const inMap = (map?.nodes() ?? []).map(n => n.id).sort()
    return inMap.join(',') === [...members].sort().join(',')
  }

  /** What each running node says, for a message. */
  describeNodes (): string {
    return describe(this.world.observed().map(({ id, cluster }) => ({ id, state: cluster.state, version: cluster.shards.version, map: cluster.shards.map })))
  }

  private print (map: ShardMap): string {
    let p = this.prints.get(map)
    if (p === undefined) {
      p = `[${map.nodes().map(n => `${n.id}*${n.weight}`).join(',')}] ${Array.from(map.owners()).join('.')}`
      this.prints.set(map, p)
    }
    return p
  }
}

function describe (nodes: ReadonlyArray<{ id: string, state: string, version: number, map: ShardMap | undefined }>): string {
  return nodes.map(n => `${n.id} ${n.state} v${n.version} [${(n.map?.nodes() ?? []).map(x => x.id).join(',')}]`).join('; ')
}
