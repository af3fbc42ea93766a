import { MemoryStorage, type Entry } from '../../src/index.js'
import { configOf, entry } from './network.js'

/** A storage whose log holds one entry per term in `terms` (index 1 first), at hard-state term `term`. */
export function storageWithLog (voters: readonly string[], terms: readonly number[], term = Math.max(0, ...terms), commit = 0): MemoryStorage {
  const storage = new MemoryStorage(configOf(voters))
  storage.append(terms.map((t, i) => entry(i + 1, t)))
  storage.setHardState({ term, vote: undefined, commit })
  return storage
}

/** The terms of a storage's entries, from its first index. */
export function termsOf (storage: MemoryStorage): number[] {
  if (storage.lastIndex() < storage.firstIndex()) return []
  return storage.entries(storage.firstIndex(), storage.lastIndex() + 1, Infinity).map((e: Entry) => e.term)
}
