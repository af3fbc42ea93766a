import type { Raft } from './raft.js'
import { loopOf } from './raft-internals.js'
import type { RaftLoop } from './raft-loop.js'

/** What a test may look at (and, to build a deliberately broken node, replace) inside a `Raft`. */
export interface RaftInspection {
  /** The loop under the `Raft`: its core, its log cache, its failure, its tick catch-up. */
  readonly loop: RaftLoop<unknown>
}

/** The internals of `raft`, for tests. */
export function inspectRaft<Result> (raft: Raft<Result>): RaftInspection {
  const loop = loopOf(raft)
  if (loop === undefined) throw new Error('not a Raft node')
  return { loop }
}
