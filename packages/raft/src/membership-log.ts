import type { Configuration } from './configuration.js'
import type { Entry } from './types.js'

/** A configuration and the log index it took effect at. */
export interface IndexedConfiguration {
  readonly index: number
  readonly configuration: Configuration
}

/**
 * The configurations in the log, so the newest one is always known, also
 * after a conflicting suffix (holding a configuration entry) is dropped.
 * Raft dissertation §4.1: a server uses the newest configuration in its
 * log, committed or not.
 */
export class MembershipLog {
  private configs: IndexedConfiguration[]

  constructor (base: IndexedConfiguration) {
    this.configs = [base]
  }

  latest (): IndexedConfiguration {
    return this.configs[this.configs.length - 1] as IndexedConfiguration
  }

  /**
   * Records appended entries: configurations at or after the first new index
   * are forgotten (that suffix was replaced), then new config entries added.
   * Returns true when the newest configuration changed.
   */
  onAppend (entries: readonly Entry[]): boolean {
    if (entries.length === 0) return false
    const before = this.latest()
    const first = (entries[0] as Entry).index
    while (this.configs.length > 1 && this.latest().index >= first) this.configs.pop()
    for (const e of entries) {
      if (e.type === 'config' && e.configuration !== undefined) this.configs.push({ index: e.index, configuration: e.configuration })
    }
    return this.latest() !== before
  }

  /** Forgets configurations no longer needed once `committed` is committed. */
  compact (committed: number): void {
    let keepFrom = 0
    for (let i = 0; i < this.configs.length; i++) if ((this.configs[i] as IndexedConfiguration).index <= committed) keepFrom = i
    if (keepFrom > 0) this.configs = this.configs.slice(keepFrom)
  }

  /** The log restarts from a snapshot: its configuration is the only one known. */
  reset (base: IndexedConfiguration): void {
    this.configs = [base]
  }
}
