/*
 * The chaos run's checks, as pure functions over what the run observed:
 * no clocks, no processes. Times are harness milliseconds (performance.now()
 * of the harness), taken before a request was sent and after its answer
 * arrived, so every check errs towards "no violation" only by the time a
 * line takes to reach the harness, never towards a false accusation.
 */

/** A committed map as a node served it: its version, digest and each shard's owner. */
export interface MapRecord {
  version: number
  /** A digest of the map's encoding: two maps of one version must have the same one. */
  digest: string
  /** The owner of each shard. */
  ownerOf: (shard: number) => string | undefined
}

/** One answered request of the load. */
export interface RequestRecord {
  op: 'get' | 'put'
  key: string
  /** For a put, the value's sequence number; for a get that found a value, the one it read. */
  seq: number | undefined
  /** When it was sent and when its answer arrived (harness ms). */
  start: number
  end: number
  status: number
  /** Who served it, its shard and the map version it was served by (absent when not served). */
  servedBy: string | undefined
  shard: number | undefined
  mapVersion: number | undefined
}

/** A node announcing that it is Operational on a version (its JSON line), when the harness heard it. */
export interface CommitSighting {
  version: number
  at: number
}

/** A violation, with enough to find it in the trace. */
export interface Violation {
  kind: 'map' | 'non-owner' | 'stale-map' | 'stale-read' | 'lost-write'
  detail: string
}

/**
 * One committed map per version: every digest reported for a version must be
 * the same. Returns a violation per version with more than one.
 */
export function mapViolations (digests: ReadonlyMap<number, ReadonlySet<string>>): Violation[] {
  const out: Violation[] = []
  for (const [version, seen] of digests) {
    if (seen.size > 1) out.push({ kind: 'map', detail: `version ${version} has ${seen.size} different maps: ${[...seen].join(', ')}` })
  }
  return out
}

/**
 * No request served by a non-owner: a request served by map version v must
 * be served by the owner of its shard in v; and it must not have been
 * started after a newer map that gives the shard to another node was
 * already committed (seen Operational on some node) — a node serving from
 * a map that was superseded before the request even began is serving from
 * a stale map. `checked` counts the served requests whose map was known.
 */
export function servingViolations (requests: readonly RequestRecord[], maps: ReadonlyMap<number, MapRecord>, commits: readonly CommitSighting[]): { violations: Violation[], checked: number } {
  const firstSeen = new Map<number, number>()
  for (const c of commits) firstSeen.set(c.version, Math.min(firstSeen.get(c.version) ?? Infinity, c.at))
  const versions = [...firstSeen.keys()].sort((a, b) => a - b)
  const violations: Violation[] = []
  let checked = 0
  for (const r of requests) {
    if (r.servedBy === undefined || r.shard === undefined || r.mapVersion === undefined) continue
    const map = maps.get(r.mapVersion)
    if (map === undefined) continue
    checked++
    const owner = map.ownerOf(r.shard)
    if (owner !== r.servedBy) {
      violations.push({ kind: 'non-owner', detail: `${r.op} ${r.key} (shard ${r.shard}) served by ${r.servedBy} by map ${r.mapVersion}, whose owner is ${owner ?? 'nobody'}` })
      continue
    }
    for (const v of versions) {
      if (v <= r.mapVersion) continue
      const at = firstSeen.get(v) as number
      if (at >= r.start) break
      const newer = maps.get(v)
      if (newer !== undefined && newer.ownerOf(r.shard) !== r.servedBy) {
        violations.push({ kind: 'stale-map', detail: `${r.op} ${r.key} (shard ${r.shard}) started at ${r.start.toFixed(0)} ms, served by ${r.servedBy} by map ${r.mapVersion}; map ${v}, committed at ${at.toFixed(0)} ms, gives it to ${newer.ownerOf(r.shard) ?? 'nobody'}` })
        break
      }
    }
  }
  return { violations, checked }
}

/**
 * No stale read: a get that started after a put of sequence s to its key was
 * acknowledged must not return a value older than s. (Not finding the key is
 * allowed: the store is a cache, and a shard that moved starts empty.)
 * Puts to one key are sequential (one writer a key), so their sequence
 * numbers order them.
 */
export function staleReads (requests: readonly RequestRecord[]): Violation[] {
  const acked = new Map<string, Array<{ seq: number, end: number }>>()
  for (const r of requests) {
    if (r.op !== 'put' || r.status !== 204 || r.seq === undefined) continue
    let list = acked.get(r.key)
    if (list === undefined) acked.set(r.key, list = [])
    list.push({ seq: r.seq, end: r.end })
  }
  const out: Violation[] = []
  for (const r of requests) {
    if (r.op !== 'get' || r.status !== 200 || r.seq === undefined) continue
    let newest = -1
    for (const w of acked.get(r.key) ?? []) if (w.end < r.start && w.seq > newest) newest = w.seq
    if (r.seq < newest) out.push({ kind: 'stale-read', detail: `get ${r.key} started at ${r.start.toFixed(0)} ms read #${r.seq}, but #${newest} was acknowledged before it started` })
  }
  return out
}

/**
 * No acknowledged write lost: after the run, reading each key back must
 * give a value at least as new as the newest put acknowledged (204) to
 * it. A newer value is fine (a put that timed out may still have been
 * applied); an older one, none (404), or no answer at all is a lost
 * write. `readBack` maps each key to the sequence number read (undefined:
 * not found); a key missing from it could not be read back and counts as
 * lost too, so an unavailable cluster cannot pass.
 */
export function lostAckedWrites (requests: readonly RequestRecord[], readBack: ReadonlyMap<string, number | undefined>): Violation[] {
  const newest = new Map<string, number>()
  for (const r of requests) {
    if (r.op !== 'put' || r.status !== 204 || r.seq === undefined) continue
    newest.set(r.key, Math.max(newest.get(r.key) ?? 0, r.seq))
  }
  const out: Violation[] = []
  for (const [key, seq] of newest) {
    if (!readBack.has(key)) {
      out.push({ kind: 'lost-write', detail: `${key}: #${seq} was acknowledged, but the key could not be read back` })
      continue
    }
    const read = readBack.get(key)
    if (read === undefined || read < seq) out.push({ kind: 'lost-write', detail: `${key}: #${seq} was acknowledged, but reading it back gave ${read === undefined ? 'nothing' : `#${read}`}` })
  }
  return out
}

/** Keys with at least one acknowledged put, sorted: what the read-back after a run covers. */
export function ackedKeys (requests: readonly RequestRecord[]): string[] {
  return [...new Set(requests.filter(r => r.op === 'put' && r.status === 204).map(r => r.key))].sort()
}

/** What every node last said of itself, at one moment. */
export interface NodeView {
  state: string
  version: number
  owners: readonly string[]
}

/**
 * Recovered: every node Operational on one map version whose owners are
 * exactly the nodes (all of them are live once the fault's victim is back).
 */
export function recovered (views: ReadonlyMap<string, NodeView>, nodes: readonly string[]): boolean {
  const want = [...nodes].sort().join(',')
  let version: number | undefined
  for (const id of nodes) {
    const v = views.get(id)
    if (v === undefined || v.state !== 'Operational') return false
    if (version !== undefined && v.version !== version) return false
    version = v.version
    if ([...v.owners].sort().join(',') !== want) return false
  }
  return version !== undefined
}
