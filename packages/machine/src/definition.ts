import { DEFAULT_NAME, DEFAULT_TICK_DELAY_MS, DEFAULT_VERSION } from './constants.js'
import { MachineDefinitionError } from './errors.js'
import type { IntermediateCommand, ReadCommand, WriteCommand, WriteMachine } from './machine-types.js'

/** What `connOpened` decides for a new client connection. */
export interface ConnDecision<Context> {
  /** False closes the connection at once. Default true. */
  accept?: boolean
  /** The connection's context, seen by intermediate commands and `connClosed`. */
  context?: Context
}

/** What `serverReady` learns: where clients connect, and the secret and TLS files they need. */
export interface ServerReadyInfo {
  address: string
  auth: string | undefined
  tls: { cert: Buffer, key: Buffer, ca: Buffer } | undefined
}

/** An application, as its author writes it (uhaha's Config). */
export interface MachineInit<Data, Context = unknown> {
  /** The application's name; every server of a cluster uses the same. Default `machine-app`. */
  name?: string
  /** Its version, answered by `VERSION`. Default `0.0.0`. */
  version?: string
  /** The data when the first server of a new cluster starts: a value (deep-copied) or a function that makes one. */
  initialData: Data | (() => Data)
  /** Commands replicated through the log; they may change data. Names are case-insensitive. */
  write?: Record<string, WriteCommand<Data>>
  /** Commands that read data and never change it. */
  read?: Record<string, ReadCommand<Data>>
  /** Per-connection commands without data access (auth-like, client-specific work). */
  intermediate?: Record<string, IntermediateCommand<Context>>
  /** An intermediate command run for every name no other table (and no built-in) knows. */
  catchAll?: IntermediateCommand<Context>
  /**
   * Own snapshots: called between two applies; must capture the state
   * synchronously and return its bytes (or a stream of them). Without it,
   * data is snapshotted as JSON (plain data only). Give both or neither.
   */
  snapshot?: (data: Data) => Uint8Array | AsyncIterable<Uint8Array>
  /** Own restore: the data from the bytes `snapshot` wrote. */
  restore?: (bytes: Uint8Array) => Data | Promise<Data>
  /** Runs as a write on the leader every `tickDelayMs`. */
  tick?: (m: WriteMachine<Data>) => void
  /** Default 200 ms. */
  tickDelayMs?: number
  /** A client connected: accept or refuse it, and give it a context. */
  connOpened?: (remoteAddress: string) => ConnDecision<Context> | undefined
  /** A client connection closed. */
  connClosed?: (context: Context | undefined, remoteAddress: string) => void
  /** The client port listens. */
  serverReady?: (info: ServerReadyInfo) => void
  /** The data directory exists (logs and snapshots live there). */
  dataDirReady?: (dir: string) => void
}

/** A checked application definition, with lower-cased command tables. */
export interface MachineDefinition<Data, Context = unknown> {
  readonly name: string
  readonly version: string
  readonly makeInitialData: () => Data
  readonly write: ReadonlyMap<string, WriteCommand<Data>>
  readonly read: ReadonlyMap<string, ReadCommand<Data>>
  readonly intermediate: ReadonlyMap<string, IntermediateCommand<Context>>
  readonly catchAll: IntermediateCommand<Context> | undefined
  readonly snapshot: ((data: Data) => Uint8Array | AsyncIterable<Uint8Array>) | undefined
  readonly restore: ((bytes: Uint8Array) => Data | Promise<Data>) | undefined
  readonly tick: ((m: WriteMachine<Data>) => void) | undefined
  readonly tickDelayMs: number
  readonly connOpened: ((remoteAddress: string) => ConnDecision<Context> | undefined) | undefined
  readonly connClosed: ((context: Context | undefined, remoteAddress: string) => void) | undefined
  readonly serverReady: ((info: ServerReadyInfo) => void) | undefined
  readonly dataDirReady: ((dir: string) => void) | undefined
}

function table<F> (kind: string, commands: Record<string, F> | undefined, seen: Set<string>): Map<string, F> {
  const out = new Map<string, F>()
  for (const [name, fn] of Object.entries(commands ?? {})) {
    const key = name.toLowerCase()
    if (!/^[a-z0-9_.:-]+$/.test(key)) throw new MachineDefinitionError(`${kind} command '${name}': a name is letters, digits and _ . : -`)
    if (seen.has(key)) throw new MachineDefinitionError(`command '${name}' is defined twice`)
    if (typeof fn !== 'function') throw new MachineDefinitionError(`${kind} command '${name}' is not a function`)
    seen.add(key)
    out.set(key, fn)
  }
  return out
}

/** Checks an application definition and returns it ready for `MachineNode` and `main`. */
export function defineMachine<Data, Context = unknown> (init: MachineInit<Data, Context>): MachineDefinition<Data, Context> {
  if ((init.snapshot === undefined) !== (init.restore === undefined)) {
    throw new MachineDefinitionError('give both snapshot and restore, or neither (JSON snapshots)')
  }
  const tickDelayMs = init.tickDelayMs ?? DEFAULT_TICK_DELAY_MS
  if (!Number.isFinite(tickDelayMs) || tickDelayMs < 1) throw new MachineDefinitionError('tickDelayMs must be at least 1')
  const seen = new Set<string>()
  const initial = init.initialData
  return Object.freeze({
    name: init.name ?? DEFAULT_NAME,
    version: init.version ?? DEFAULT_VERSION,
    makeInitialData: typeof initial === 'function' ? initial as () => Data : () => structuredClone(initial),
    write: table('write', init.write, seen),
    read: table('read', init.read, seen),
    intermediate: table('intermediate', init.intermediate, seen),
    catchAll: init.catchAll,
    snapshot: init.snapshot,
    restore: init.restore,
    tick: init.tick,
    tickDelayMs,
    connOpened: init.connOpened,
    connClosed: init.connClosed,
    serverReady: init.serverReady,
    dataDirReady: init.dataDirReady
  })
}
