/**
 * The cache a node holds: values grouped by shard, so that when a commit
 * takes shards away their entries go at once. A shard that comes back later
 * then starts empty instead of serving values written elsewhere meanwhile.
 */
export class ShardedStore {
  private readonly shards = new Map<number, Map<string, string>>()

  get (shard: number, key: string): string | undefined {
    return this.shards.get(shard)?.get(key)
  }

  set (shard: number, key: string, value: string): void {
    let entries = this.shards.get(shard)
    if (entries === undefined) {
      entries = new Map()
      this.shards.set(shard, entries)
    }
    entries.set(key, value)
  }

  /** Forgets every entry of `shards` (this node no longer owns them). */
  drop (shards: Iterable<number>): void {
    for (const s of shards) this.shards.delete(s)
  }

  /** Entries held, over every shard. */
  get size (): number {
    let n = 0
    for (const entries of this.shards.values()) n += entries.size
    return n
  }
}
