import { DecodeError, type Clock, type Counter, type Logger } from '@clusterfunk/core'
import { readAll, type Entry, type Fsm } from '@clusterfunk/raft'
import { decodeCommand, decodeCoordinatorSnapshot, encodeCoordinatorSnapshot } from '../coordinator/codec.js'
import type { ShardCoordinator } from '../coordinator/coordinator.js'

/**
 * The Raft state machine of a cluster node: every committed entry is a
 * cluster command (a shard-map proposal or commit) applied to this node's
 * coordinator in log order; a snapshot is the coordinator's replicated
 * state (the committed map, the open proposal, the highest version).
 * After each apply or restore `changed()` runs, so the node acts on the
 * coordinator's outputs (acks owed, maps committed) at once.
 */
export class ClusterFsm implements Fsm<void> {
  private readonly coordinator: ShardCoordinator
  private readonly clock: Clock
  private readonly logger: Logger
  private readonly dropped: Counter
  private readonly changed: () => void

  constructor (components: { coordinator: ShardCoordinator, clock: Clock, logger: Logger, dropped: Counter }, changed: () => void) {
    this.coordinator = components.coordinator
    this.clock = components.clock
    this.logger = components.logger
    this.dropped = components.dropped
    this.changed = changed
  }

  apply (entry: Entry): void {
    let command
    try {
      command = decodeCommand(entry.data)
    } catch (err) {
      // Every node skips the same bad entry, so replicas stay identical.
      if (!(err instanceof DecodeError)) throw err
      this.dropped.inc()
      this.logger.warn('skipping a log entry that is not a cluster command', { index: entry.index, error: err.message })
      return
    }
    this.coordinator.apply(this.clock.now(), command)
    this.changed()
  }

  snapshot (): AsyncIterable<Uint8Array> {
    const bytes = encodeCoordinatorSnapshot(this.coordinator.snapshot())
    return (async function * () { yield bytes })()
  }

  async restore (stream: AsyncIterable<Uint8Array>): Promise<void> {
    const snapshot = decodeCoordinatorSnapshot(await readAll(stream))
    this.coordinator.restore(this.clock.now(), snapshot)
    this.changed()
  }
}
