import type { Random } from '@clusterfunk/core'
import { loadType, type protobuf } from '@clusterfunk/proto'

/** A protobuf type and valid messages of it to start mutating from. */
export interface Corpus {
  type: protobuf.Type
  samples: Array<Record<string, unknown>>
}

/** Valid SWIM packets of every message kind, naming the cluster's own members. */
export function swimCorpus (ids: readonly string[], from: string): Corpus {
  const id = ids[0] ?? 'n1'
  const ghost = 'fuzz-ghost'
  return {
    type: loadType('swim.proto', 'clusterfunk.swim.Packet'),
    samples: [
      { ping: { seq: 1, target: id, source: ghost, sourceAddress: from } },
      { indirectPing: { seq: 2, target: id, targetAddress: from, wantNack: true, source: ghost, sourceAddress: from } },
      { ack: { seq: 3, source: id } },
      { nack: { seq: 4, source: id } },
      { suspect: { node: ghost, incarnation: 1, from: id } },
      { alive: { node: ghost, incarnation: 1, address: from, tags: { 'ep.kv': 'http://127.0.0.1:9' } } },
      { dead: { node: ghost, incarnation: 1, from: id } }
    ].map(m => ({ version: 1, messages: [m] }))
  }
}

/** A valid push/pull state (the TCP exchange). */
export function pushPullCorpus (from: string): Corpus {
  return {
    type: loadType('swim.proto', 'clusterfunk.swim.PushPull'),
    samples: [{ version: 1, join: true, members: [{ node: 'fuzz-ghost', address: from, incarnation: 1, status: 1, tags: { role: 'x' } }] }]
  }
}

/** Valid liveness probes for each node. */
export function livenessCorpus (ids: readonly string[]): Corpus {
  return {
    type: loadType('liveness.proto', 'clusterfunk.liveness.Packet'),
    samples: ids.map((id, i) => ({ version: 1, kind: 1, nonce: 1000 + i, target: id }))
  }
}

/** Valid Raft messages of every body kind (terms and indexes small), as a stranger would send them. */
export function raftCorpus (ids: readonly string[], term = 1): Corpus {
  const to = ids[0] ?? 'n1'
  const base = { version: 1, from: 'fuzz-ghost', to, term }
  const bodies: Array<Record<string, unknown>> = [
    { voteRequest: { lastLogIndex: 1, lastLogTerm: 1 } },
    { preVoteRequest: { lastLogIndex: 1, lastLogTerm: 1, leadershipTransfer: true } },
    { voteResponse: { granted: true } },
    { appendEntries: { prevLogIndex: 1, prevLogTerm: 1, commit: 1, entries: [{ index: 2, term: 1, data: Buffer.from('x') }] } },
    { appendEntriesResponse: { success: true, matchIndex: 1 } },
    { heartbeat: { commit: 1, readSeq: 1 } },
    { heartbeatResponse: { readSeq: 1 } },
    { timeoutNow: {} },
    { readIndexRequest: { requestId: 'r' } },
    { installSnapshot: { snapshot: {} } }
  ]
  return { type: loadType('raft.proto', 'clusterfunk.raft.RaftMessage'), samples: bodies.map(b => ({ ...base, ...b })) }
}

/** The Raft transport's methods and the message type each streams or takes. */
export const RAFT_METHODS = [
  { path: '/clusterfunk.raft.RaftTransport/Deliver', type: 'clusterfunk.raft.RaftMessage' },
  { path: '/clusterfunk.raft.RaftTransport/Send', type: 'clusterfunk.raft.RaftMessage' },
  { path: '/clusterfunk.raft.RaftTransport/InstallSnapshot', type: 'clusterfunk.raft.SnapshotChunk' }
] as const

/** Every management method with a request that names no real node (so a plain cluster is not legitimately reconfigured). */
export function managementMethods (): Array<{ name: string, path: string, type: protobuf.Type, sample: Record<string, unknown> }> {
  const methods: Array<[string, string, Record<string, unknown>]> = [
    ['GetStatus', 'GetStatusRequest', { format: 1 }],
    ['ListNodes', 'ListNodesRequest', { format: 1 }],
    ['AddNode', 'AddNodeRequest', { format: 1, id: 'fuzz-ghost', address: '127.0.0.1:9' }],
    ['RemoveNode', 'RemoveNodeRequest', { format: 1, id: 'fuzz-ghost' }],
    ['StepDown', 'StepDownRequest', { format: 1 }],
    ['ListShards', 'ListShardsRequest', { format: 1 }],
    ['ListEndpoints', 'ListEndpointsRequest', { format: 1 }],
    ['FindEndpoint', 'FindEndpointRequest', { format: 1, name: 'kv' }],
    ['WatchEvents', 'WatchEventsRequest', { format: 1 }],
    ['AckShardMap', 'AckShardMapRequest', { format: 1, nodeId: 'fuzz-ghost', version: 1 }]
  ]
  return methods.map(([name, type, sample]) => ({
    name,
    path: `/clusterfunk.management.Management/${name}`,
    type: loadType('management.proto', `clusterfunk.management.${type}`),
    sample
  }))
}

/** Management calls that change the cluster when they succeed: the structured phase keeps real node ids out of them. */
export const RECONFIGURING = new Set(['AddNode', 'RemoveNode', 'StepDown', 'AckShardMap'])

/** Replaces a real node id anywhere in `m` (one level deep) so a mutated call cannot legitimately remove or add a member. */
export function withoutRealIds (m: Record<string, unknown>, ids: readonly string[], random: Random): Record<string, unknown> {
  const out = { ...m }
  for (const [k, v] of Object.entries(out)) if (typeof v === 'string' && ids.includes(v)) out[k] = `ghost-${random.int(0, 9)}-${v}`
  return out
}
