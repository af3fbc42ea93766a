import type { Entry } from './raft-deps.js'
import type { HardState, LogStore, StableStore, WriteOptions } from './raft-deps.js'

/**
 * A log and stable store that never waits for fsync (`--nosync`): every
 * write goes to the wrapped store with `sync: false`. Faster, and a power
 * failure can lose acknowledged writes.
 */
export class UnsyncedStore implements LogStore, StableStore {
  constructor (private readonly inner: LogStore & StableStore) {}
  firstIndex (): number { return this.inner.firstIndex() }
  lastIndex (): number { return this.inner.lastIndex() }
  async getLogs (lo: number, hi: number): Promise<Entry[]> { return await this.inner.getLogs(lo, hi) }
  async storeLogs (entries: readonly Entry[], _options?: WriteOptions): Promise<void> { await this.inner.storeLogs(entries, { sync: false }) }
  async compactTo (index: number, _options?: WriteOptions): Promise<void> { await this.inner.compactTo(index, { sync: false }) }
  async clearLogs (_options?: WriteOptions): Promise<void> { await this.inner.clearLogs({ sync: false }) }
  async getHardState (): Promise<HardState> { return await this.inner.getHardState() }
  async setHardState (hardState: HardState, _options?: WriteOptions): Promise<void> { await this.inner.setHardState(hardState, { sync: false }) }
}
