/** One lease as its holder saw it: from the acquire's answer to when it stopped believing it held the lock (or was killed). */
export interface LeaseRecord {
  owner: string
  token: number
  /** When its holder called `acquire` (the grant came after). */
  asked: number
  /** When `acquire` answered (the grant came before: a holder paused in between learns late). */
  start: number
  end: number
}

/** One write to the fenced resource, as the resource saw it (its clock, when the write arrived). */
export interface WriteRecord {
  owner: string
  token: number
  at: number
  accepted: boolean
}

/**
 * Checks a lock history. Violations:
 * - a token granted to two owners (tokens are never reused);
 * - a lease asked for after another ended, with a token not above it (tokens strictly
 *   increase in grant order; a lease is granted after its holder asked and before
 *   it ended, whatever the holder observed in between);
 * - two leases that overlap in real time whose accepted writes interleave: the
 *   lower token's write accepted after the higher token's (or, under one token,
 *   any two owners' writes both accepted) — two holders both acting on the
 *   resource at once, which fencing exists to prevent.
 */
export function checkLockHistory (leases: readonly LeaseRecord[], writes: readonly WriteRecord[]): string[] {
  const out: string[] = []
  const byToken = new Map<number, string>()
  for (const l of leases) {
    const other = byToken.get(l.token)
    if (other !== undefined && other !== l.owner) out.push(`token ${l.token} granted to ${other} and to ${l.owner}`)
    byToken.set(l.token, l.owner)
  }
  for (const a of leases) {
    for (const b of leases) {
      if (a !== b && a.end < b.asked && a.token >= b.token) out.push(`lease ${b.owner} (token ${b.token}) was asked for after ${a.owner} (token ${a.token}) ended, with a token not above it`)
    }
  }
  const accepted = new Map<string, WriteRecord[]>()
  for (const w of writes) {
    if (!w.accepted) continue
    const key = `${w.owner}#${w.token}`
    accepted.set(key, [...(accepted.get(key) ?? []), w])
  }
  for (let i = 0; i < leases.length; i++) {
    for (let j = i + 1; j < leases.length; j++) {
      const [lo, hi] = [leases[i], leases[j]].sort((x, y) => (x?.token ?? 0) - (y?.token ?? 0)) as [LeaseRecord, LeaseRecord]
      if (lo.owner === hi.owner) continue
      if (Math.max(lo.start, hi.start) > Math.min(lo.end, hi.end)) continue
      const wl = accepted.get(`${lo.owner}#${lo.token}`) ?? []
      const wh = accepted.get(`${hi.owner}#${hi.token}`) ?? []
      if (wl.length === 0 || wh.length === 0) continue
      const firstHigh = Math.min(...wh.map(w => w.at))
      const lastLow = Math.max(...wl.map(w => w.at))
      if (lo.token === hi.token || lastLow > firstHigh) {
        out.push(`leases of ${lo.owner} (token ${lo.token}) and ${hi.owner} (token ${hi.token}) overlap and both had writes accepted, interleaved`)
      }
    }
  }
  return out
}

/** The fenced resource's rule: accept a token at least the highest accepted so far. */
export class FencedResource {
  private highest = 0
  readonly writes: WriteRecord[] = []
  /** What a resource that ignores tokens would have accepted: everything. */
  readonly unfenced: WriteRecord[] = []

  write (owner: string, token: number, at: number): boolean {
    const accepted = token >= this.highest
    if (accepted) this.highest = token
    this.writes.push({ owner, token, at, accepted })
    this.unfenced.push({ owner, token, at, accepted: true })
    return accepted
  }
}
