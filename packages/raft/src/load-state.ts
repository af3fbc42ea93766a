import { EMPTY_CONFIGURATION } from './configuration.js'
import type { Fsm } from './fsm.js'
import { LogCache } from './log-cache.js'
import type { LogStore, StableStore } from './log-store.js'
import type { SnapshotManager } from './snapshots.js'
import { CorruptStoreError } from './stored-entry.js'
import type { HardState, SnapshotMetadata } from './types.js'

/** What a node starts from: its stored hard state, the snapshot its FSM was restored from, and its log. */
export interface LoadedState {
  readonly hard: HardState
  readonly snapshot: SnapshotMetadata
  readonly cache: LogCache
}

/**
 * Restores `fsm` from the newest good snapshot and reads the hard state and
 * the log behind it. Refuses a log with a gap after the snapshot
 * (`CorruptStoreError`), and finishes a snapshot install a crash cut short.
 */
export async function loadState (stores: { logStore: LogStore, stableStore: StableStore, fsm: Fsm<unknown> }, snapshots: SnapshotManager): Promise<LoadedState> {
  const { logStore, stableStore, fsm } = stores
  const snap = await snapshots.restoreNewest(fsm)
  const meta: SnapshotMetadata = snap ?? { index: 0, term: 0, configuration: EMPTY_CONFIGURATION }
  const hard = await stableStore.getHardState()
  const first = logStore.firstIndex()
  const last = logStore.lastIndex()
  if (last > 0 && first > meta.index + 1) {
    throw new CorruptStoreError(`the log starts at ${first} but the newest usable snapshot ends at ${meta.index}: entries ${meta.index + 1}..${first - 1} are missing`)
  }
  // A leader's snapshot is stored before the log it replaces is cleared: a crash between the two leaves a log
  // that ends before the snapshot or disagrees with it at its index. Finish the clear.
  if (snap !== undefined && last > 0 && (last < meta.index || (first <= meta.index && (await logStore.getLogs(meta.index, meta.index + 1))[0]?.term !== meta.term))) {
    await logStore.clearLogs()
  }
  const held = logStore.lastIndex()
  const entries = held > 0 ? await logStore.getLogs(Math.max(logStore.firstIndex(), meta.index + 1), held + 1) : []
  return { hard, snapshot: meta, cache: new LogCache(meta, { ...hard, commit: Math.min(hard.commit, Math.max(held, meta.index)) }, entries) }
}
