import type { ShardedStore, Stamp } from './store.js'
import type { KvClusterView } from './view.js'

/** A replica write from a primary: `PUT /internal/replica/<key>` with the headers below, body = value. */
export const REPLICA_PATH = '/internal/replica/'
/** A fill: `POST /internal/shards` with a JSON list of shard numbers; answers `{ entries: [[shard, key, value, map, seq], …] }`. */
export const EXPORT_PATH = '/internal/shards'
export const REPLICA_SHARD = 'x-kv-replica-shard'
export const REPLICA_MAP = 'x-kv-replica-map'
export const REPLICA_SEQ = 'x-kv-replica-seq'
/** Shards one fill request asks for at most, so an answer stays bounded. */
export const MAX_FILL_SHARDS = 1_000

/** Why a replicated read or write cannot go on: the caller answers 503 and the client retries. */
export class ReplicationUnavailableError extends Error {
  override readonly name = 'ReplicationUnavailableError'
}

/** A wire entry of a fill answer. */
type WireEntry = [number, string, string, number, number]

/**
 * Primary–replica replication of the kv store (replication factor ≥ 2).
 *
 * - A write goes to the shard's primary, which stamps it (map version,
 *   sequence), stores it, and sends it to every replica of the shard in its
 *   committed map; it acknowledges only when each replica stored it and it
 *   still serves that map. So every acknowledged write is on every owner of
 *   its shard in that map.
 * - A shard a node gains, in either role, is not ready until the node has
 *   copied it from every other node of the map (each answers from its
 *   store, including shards it no longer owns: nothing is dropped), keeping
 *   the newest stamp of each key. A primary serves neither reads nor writes
 *   of a shard that is not ready; a replica stores writes while it fills.
 *   So the new primary of a shard, a former replica or not, holds every
 *   write acknowledged under earlier maps before it serves.
 */
export class Replicator {
  /** Shards gained and not yet copied from every other node. */
  private readonly unready = new Set<number>()
  private generation = 0
  /** The highest sequence seen: a primary's stamps stay above every stamp it could meet, across restarts. */
  private seq = 0
  readonly counters = { replicated: 0, replicaWrites: 0, replicaRefused: 0, fills: 0, fillRetries: 0 }

  constructor (private readonly view: KvClusterView, private readonly store: ShardedStore, private readonly timeoutMs = 2_000) {}

  /** Whether this node may serve `shard` (it copied it since it gained it). */
  isReady (shard: number): boolean {
    return !this.unready.has(shard)
  }

  /** Waits up to `ms` for `shard` to be ready; resolves whether it is. */
  async waitReady (shard: number, ms: number): Promise<boolean> {
    const until = performance.now() + ms
    while (!this.isReady(shard)) {
      if (performance.now() >= until) return false
      await new Promise(resolve => setTimeout(resolve, 20))
    }
    return true
  }

  /** Shards still being copied. */
  get filling (): number {
    return this.unready.size
  }

  /**
   * This node started serving a map in which it gained `shards` (any role):
   * they are not ready until copied from every other node of that map. A
   * fill still running for an older map is abandoned and its shards are
   * copied again with these.
   */
  gained (shards: readonly number[]): void {
    for (const s of shards) this.unready.add(s)
    const generation = ++this.generation
    if (this.unready.size === 0) return
    this.fill(generation).catch(() => {})
  }

  /** Stores a write here as the primary and on every replica; resolves once all hold it. */
  async write (shard: number, key: string, value: string): Promise<void> {
    if (!this.isReady(shard)) throw new ReplicationUnavailableError(`shard ${shard} is still being copied here; retry`)
    const map = this.view.mapVersion
    const stamp: Stamp = { map, seq: ++this.seq }
    this.store.setStamped(shard, key, value, stamp)
    const replicas = this.view.replicasOf(shard)
    const until = performance.now() + this.timeoutMs
    await Promise.all(replicas.map(async id => { await this.replicateUntil(until, id, shard, key, value, stamp) }))
    if (this.view.state !== 'Operational' || this.view.mapVersion !== map) {
      throw new ReplicationUnavailableError(`the map changed from version ${map} while the write was replicated; retry`)
    }
    this.counters.replicated++
  }

  /**
   * A replica write from the primary: stored when this node is a replica of
   * the shard in the same committed map version; refused otherwise.
   */
  applyReplica (shard: number, map: number, seq: number, key: string, value: string): void {
    if (map !== this.view.mapVersion || !this.view.replicasOf(shard).includes(this.view.nodeId)) {
      this.counters.replicaRefused++
      throw new ReplicationUnavailableError(`not a replica of shard ${shard} in map ${map} (this node serves map ${this.view.mapVersion}); retry`)
    }
    this.seq = Math.max(this.seq, seq)
    this.store.setStamped(shard, key, value, { map, seq })
    this.counters.replicaWrites++
  }

  /** What a filling node asks for: every stamped entry of `shards` held here. */
  exportShards (shards: readonly number[]): WireEntry[] {
    const out: WireEntry[] = []
    for (const s of shards) for (const e of this.store.exportShard(s)) out.push([s, e.key, e.value, e.stamp.map, e.stamp.seq])
    return out
  }

  /** Sends a replica write, again after a refusal or no answer (a replica briefly behind or busy), until `until` or the map changes. */
  private async replicateUntil (until: number, id: string, shard: number, key: string, value: string, stamp: Stamp): Promise<void> {
    for (;;) {
      try {
        await this.sendReplica(id, shard, key, value, stamp)
        return
      } catch (err) {
        if (performance.now() >= until || this.view.mapVersion !== stamp.map) throw err
      }
      await new Promise(resolve => setTimeout(resolve, 50))
    }
  }

  private async sendReplica (id: string, shard: number, key: string, value: string, stamp: Stamp): Promise<void> {
    const url = this.view.kvEndpoint(id)
    if (url === undefined) throw new ReplicationUnavailableError(`replica ${id} publishes no ep.kv endpoint; retry`)
    let res: Response
    try {
      res = await fetch(`${url}${REPLICA_PATH}${encodeURIComponent(key)}`, {
        method: 'PUT',
        headers: { [REPLICA_SHARD]: String(shard), [REPLICA_MAP]: String(stamp.map), [REPLICA_SEQ]: String(stamp.seq) },
        body: value,
        signal: AbortSignal.timeout(this.timeoutMs)
      })
      await res.text()
    } catch (err) {
      throw new ReplicationUnavailableError(`replica ${id} unreachable (${(err as Error).message}); retry`)
    }
    if (res.status !== 204) throw new ReplicationUnavailableError(`replica ${id} refused the write (${res.status}); retry`)
  }

  /** Copies every unready shard from every other node of the map, retrying each until it answers or the map changes. */
  private async fill (generation: number): Promise<void> {
    const shards = [...this.unready].sort((a, b) => a - b)
    const peers = this.view.mapNodes().filter(id => id !== this.view.nodeId)
    for (const peer of peers) {
      for (let from = 0; from < shards.length; from += MAX_FILL_SHARDS) {
        const batch = shards.slice(from, from + MAX_FILL_SHARDS)
        for (;;) {
          if (generation !== this.generation) return
          const entries = await this.fetchFrom(peer, batch)
          if (generation !== this.generation) return
          if (entries !== undefined) {
            for (const [s, key, value, map, seq] of entries) {
              this.seq = Math.max(this.seq, seq)
              this.store.setStamped(s, key, value, { map, seq })
            }
            break
          }
          this.counters.fillRetries++
          await new Promise(resolve => setTimeout(resolve, 200))
        }
      }
    }
    if (generation !== this.generation) return
    for (const s of shards) this.unready.delete(s)
    this.counters.fills++
  }

  private async fetchFrom (peer: string, shards: readonly number[]): Promise<WireEntry[] | undefined> {
    const url = this.view.kvEndpoint(peer)
    if (url === undefined) return undefined
    try {
      const res = await fetch(`${url}${EXPORT_PATH}`, { method: 'POST', body: JSON.stringify(shards), signal: AbortSignal.timeout(this.timeoutMs * 5) })
      if (res.status !== 200) return undefined
      const body = await res.json() as { entries?: unknown }
      return Array.isArray(body.entries) ? body.entries.filter(isWireEntry) : undefined
    } catch {
      return undefined
    }
  }
}

function isWireEntry (e: unknown): e is WireEntry {
  return Array.isArray(e) && e.length === 5 && Number.isSafeInteger(e[0]) && typeof e[1] === 'string' && typeof e[2] === 'string' &&
    Number.isSafeInteger(e[3]) && Number.isSafeInteger(e[4])
}
