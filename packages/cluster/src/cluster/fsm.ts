import { DecodeError, type Clock, type Counter, type Logger } from '@clusterfunk/core'
import { readAll, type Entry, type Fsm } from '@clusterfunk/raft'
import { decodeCommand, decodeCoordinatorSnapshot, encodeCoordinatorSnapshot } from '../coordinator/codec.js'
import type { ShardCoordinator } from '../coordinator/coordinator.js'
import { decodeCoordinationCommand, decodeNodeSnapshot, encodeNodeSnapshot } from '../coordination/codec.js'
import { CoordinationReplica } from '../coordination/replica.js'

/**
 * The Raft state machine of a cluster node: every committed entry is a
 * cluster command applied in log order — a shard-map proposal or commit to
 * this node's coordinator, or a shared-state or lock operation to its
 * coordination replica. A snapshot is both parts together (`NodeSnapshot`);
 * a snapshot of the older format (the coordinator's state alone) restores
 * the coordinator and an empty shared state.
 * After each shard-map apply or restore `changed()` runs, so the node acts
 * on the coordinator's outputs (acks owed, maps committed) at once.
 */
export class ClusterFsm implements Fsm<void> {
  private readonly coordinator: ShardCoordinator
  /** The shared state and locks this node replicates. */
  readonly coordination: CoordinationReplica
  private readonly clock: Clock
  private readonly logger: Logger
  private readonly dropped: Counter
  private readonly changed: () => void

  constructor (components: { coordinator: ShardCoordinator, coordination?: CoordinationReplica | undefined, clock: Clock, logger: Logger, dropped: Counter }, changed: () => void) {
    this.coordinator = components.coordinator
    this.coordination = components.coordination ?? new CoordinationReplica()
    this.clock = components.clock
    this.logger = components.logger
    this.dropped = components.dropped
    this.changed = changed
  }

  apply (entry: Entry): void {
    let command
    try {
      const coordination = decodeCoordinationCommand(entry.data)
      if (coordination !== undefined) {
        this.coordination.apply(entry.index, coordination)
        return
      }
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
    const bytes = encodeNodeSnapshot({ coordinator: encodeCoordinatorSnapshot(this.coordinator.snapshot()), coordination: this.coordination.snapshot() })
    return (async function * () { yield bytes })()
  }

  async restore (stream: AsyncIterable<Uint8Array>): Promise<void> {
    const parts = decodeNodeSnapshot(await readAll(stream))
    const snapshot = decodeCoordinatorSnapshot(parts.coordinator)
    this.coordination.restore(parts.coordination)
    this.coordinator.restore(this.clock.now(), snapshot)
    this.changed()
  }
}
