import { checkAppend, type LogStore, type StableStore } from './log-store.js'
import type { Entry, HardState } from './types.js'

/**
 * A `LogStore` and `StableStore` in memory, for tests and simulation. It
 * survives a `Raft` being stopped and rebuilt over it (a restart), not the
 * process.
 */
export class MemoryLogStore implements LogStore, StableStore {
  private entries: Entry[] = []
  private hardState: HardState = { term: 0, vote: undefined, commit: 0 }

  firstIndex (): number {
    return this.entries[0]?.index ?? 0
  }

  lastIndex (): number {
    return this.entries[this.entries.length - 1]?.index ?? 0
  }

  async getLogs (lo: number, hi: number): Promise<Entry[]> {
    const first = this.firstIndex()
    return this.entries.slice(lo - first, hi - first)
  }

  async storeLogs (entries: readonly Entry[]): Promise<void> {
    const first = entries[0]
    if (first === undefined) return
    checkAppend(entries, this.firstIndex(), this.lastIndex())
    if (this.entries.length > 0) this.entries.length = first.index - this.firstIndex()
    this.entries.push(...entries)
  }

  async compactTo (index: number): Promise<void> {
    if (this.entries.length === 0) return
    this.entries = this.entries.slice(Math.max(0, index - this.firstIndex() + 1))
  }

  async clearLogs (): Promise<void> {
    this.entries = []
  }

  async getHardState (): Promise<HardState> {
    return this.hardState
  }

  async setHardState (hardState: HardState): Promise<void> {
    this.hardState = hardState
  }
}
