import type { RaftLoop } from './raft-loop.js'

/**
 * Each `Raft`'s loop, for test aids only (`@clusterfunk/raft/testing`'s
 * `inspectRaft`): the public `Raft` exposes no internals.
 */
const loops = new WeakMap<object, RaftLoop<unknown>>()

export function registerLoop (raft: object, loop: RaftLoop<unknown>): void {
  loops.set(raft, loop)
}

export function loopOf (raft: object): RaftLoop<unknown> | undefined {
  return loops.get(raft)
}
