import type { Logger } from '@clusterfunk/core'

/**
 * Deterministic random numbers for commands. In a write command every call
 * draws a fresh value from a generator seeded by the entry (the seed travels
 * in the log, so every replica, and a replay after a restart or a snapshot
 * restore, draws the same numbers). In a read command each call returns the
 * last value of its kind drawn by a write (reads never advance the state).
 */
export interface MachineRand {
  /** A 32-bit unsigned integer. */
  uint32: () => number
  /** An integer in [min, max], both included (safe integers). */
  int: (min: number, max: number) => number
  /** A float in [0, 1). */
  float: () => number
  /** `n` random bytes. */
  bytes: (n: number) => Buffer
}

/** What a write command sees: it may change `data`; `now()` and `rand` are the entry's. */
export interface WriteMachine<Data> {
  readonly data: Data
  /**
   * Milliseconds since the epoch, stamped by the leader into the entry:
   * identical on every replica, never lower than the previous entry's
   * (also across leader changes). Use it instead of `Date.now()`.
   */
  now: () => number
  readonly rand: MachineRand
  readonly log: Logger
  /** The node id of the replica applying the entry (for logging; never let it change data). */
  readonly nodeId: string
}

/** What a read command sees: `data` (never change it), and the last applied `now()` and random values. */
export interface ReadMachine<Data> {
  readonly data: Data
  now: () => number
  readonly rand: MachineRand
  readonly log: Logger
  readonly nodeId: string
}

/** What an intermediate command sees: no data, the connection's context. */
export interface IntermediateMachine<Context> {
  readonly context: Context | undefined
  /** Replaces the connection's context (e.g. after a client-specific login). */
  setContext: (context: Context) => void
  readonly log: Logger
  readonly nodeId: string
  /** The remote address of the connection. */
  readonly remoteAddress: string
}

/**
 * A write command: runs on every replica in log order; must be deterministic (use `now()` and `rand`).
 * `args` are the arguments as UTF-8 text (the name first); `bytes` the same arguments exactly as they
 * arrived, for binary values.
 */
export type WriteCommand<Data> = (m: WriteMachine<Data>, args: string[], bytes: readonly Buffer[]) => unknown
/** A read command: runs on one node, after a ReadIndex round unless open reads are on. `args`, `bytes`: as a write's. */
export type ReadCommand<Data> = (m: ReadMachine<Data>, args: string[], bytes: readonly Buffer[]) => unknown
/** An intermediate command: runs on the node the client is connected to; may be async. `args`, `bytes`: as a write's. */
export type IntermediateCommand<Context> = (m: IntermediateMachine<Context>, args: string[], bytes: readonly Buffer[]) => unknown
