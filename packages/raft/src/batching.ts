import type { NodeId } from './configuration.js'
import type { AppendEntriesRequest, Message } from './messages.js'
import { entrySize, type Entry } from './types.js'

/** Entry bytes one merged AppendEntries carries at most (half the transport's default message limit). */
export const MAX_MERGED_BYTES = 4 * 1024 * 1024

const bytesOf = (entries: readonly Entry[]): number => entries.reduce((n, e) => n + entrySize(e), 0)

/**
 * Groups a Ready's messages by destination, keeping their order, and merges
 * runs of consecutive AppendEntries to the same follower into one message
 * (each continuing where the previous ended, in the same term), up to
 * `maxEntries` entries. The core sends one AppendEntries per proposal while
 * it pipelines; merging them turns a burst of proposals into one message,
 * one fsync and one acknowledgement on the follower. The follower's single
 * answer acknowledges the last index, which frees every merged message in
 * the leader's inflight window.
 */
export function groupMessages (messages: readonly Message[], maxEntries: number): Map<NodeId, Message[]> {
  const out = new Map<NodeId, Message[]>()
  const owned = new Map<Message, number>()
  for (const m of messages) {
    let list = out.get(m.to)
    if (list === undefined) {
      list = []
      out.set(m.to, list)
    }
    const prev = list[list.length - 1]
    const size = m.type === 'appendEntries' ? bytesOf(m.entries) : 0
    const prevSize = prev === undefined ? 0 : owned.get(prev) ?? (prev.type === 'appendEntries' ? bytesOf(prev.entries) : 0)
    if (m.type === 'appendEntries' && prev?.type === 'appendEntries' && prevSize + size <= MAX_MERGED_BYTES && canMerge(prev, m, maxEntries)) {
      if (owned.has(prev)) {
        (prev.entries as Entry[]).push(...m.entries)
        ;(prev as { commit: number }).commit = Math.max(prev.commit, m.commit)
        owned.set(prev, prevSize + size)
      } else {
        const merged: AppendEntriesRequest = { ...prev, entries: [...prev.entries, ...m.entries], commit: Math.max(prev.commit, m.commit) }
        owned.set(merged, prevSize + size)
        list[list.length - 1] = merged
      }
    } else {
      list.push(m)
    }
  }
  return out
}

function canMerge (a: AppendEntriesRequest, b: AppendEntriesRequest, maxEntries: number): boolean {
  if (a.term !== b.term || b.entries.length === 0 || a.entries.length + b.entries.length > maxEntries) return false
  const last = a.entries[a.entries.length - 1]
  return last !== undefined && b.prevLogIndex === last.index && b.prevLogTerm === last.term
}
