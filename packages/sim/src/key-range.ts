/** A key range as classic-level's iterators take it; absent bounds are open. */
export interface KeyRange {
  gt?: string
  gte?: string
  lt?: string
  lte?: string
  /** Descending order. Default false. */
  reverse?: boolean
  /** At most this many entries; negative or absent means no limit. */
  limit?: number
}

/**
 * Orders keys by Unicode code point, which is the order of their UTF-8
 * bytes: the order classic-level (LevelDB's bytewise comparator) keeps
 * string keys in. Plain `<` compares UTF-16 code units and disagrees for
 * characters beyond the Basic Multilingual Plane.
 */
export function compareKeys (a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    // Surrogates (0xD800–0xDFFF) encode code points above 0xFFFF, so they sort after every other unit.
    const sx = x >= 0xd800 && x <= 0xdfff
    const sy = y >= 0xd800 && y <= 0xdfff
    if (sx !== sy) return sx ? 1 : -1
    return x < y ? -1 : 1
  }
  return a.length - b.length
}

/** True when `key` lies within the bounds of `range`. */
export function inRange (key: string, range: KeyRange): boolean {
  if (range.gt !== undefined && compareKeys(key, range.gt) <= 0) return false
  if (range.gte !== undefined && compareKeys(key, range.gte) < 0) return false
  if (range.lt !== undefined && compareKeys(key, range.lt) >= 0) return false
  if (range.lte !== undefined && compareKeys(key, range.lte) > 0) return false
  return true
}
