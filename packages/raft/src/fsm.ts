import type { Entry } from './types.js'

/**
 * The replicated state machine (hashicorp's FSM). The `Raft` driver calls
 * it from one place, in log order:
 *
 * - `apply(entry)` once for every committed `normal` entry, exactly once
 *   per entry across restarts that restore from a snapshot (entries after
 *   the snapshot are applied again after `restore`). Its return value is
 *   what `Raft.apply()` resolves with on the leader that proposed it. It is
 *   synchronous: the log does not advance while it runs.
 * - `snapshot()` between two applies. It must capture the state at that
 *   point synchronously (a copy, or a persistent structure) and return a
 *   stream of its bytes that may be read later, while applies continue.
 * - `restore(stream)` replaces the whole state with a snapshot's bytes.
 *   No apply runs until it resolves.
 */
export interface Fsm<Result = unknown> {
  apply: (entry: Entry) => Result
  snapshot: () => AsyncIterable<Uint8Array>
  restore: (stream: AsyncIterable<Uint8Array>) => Promise<void>
}

/** Reads a whole stream into one byte array (for state machines that restore from one buffer). */
export async function readAll (stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const c of stream) {
    chunks.push(c)
    size += c.byteLength
  }
  const out = new Uint8Array(size)
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.byteLength
  }
  return out
}
