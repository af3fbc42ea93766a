import { MANAGEMENT_ENDPOINT, type ClusterEvent, type NodeEndpoint, type NodeSummary, type ShardSummary, type StatusReply, type ZeroconfPeer } from '@clusterfunk/management'
import { percent, table, time } from './table.js'

/** Output as JSON: pretty for one document, one line per item for streams. */
export function json (value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n'
}

/** `funkctl status`: one field a line. */
export function formatStatus (s: StatusReply): string {
  return table(undefined, [
    ['Cluster', s.clusterName],
    ['Node', s.nodeId],
    ['Role', s.role],
    ['State', s.state],
    ['Leader', s.leaderId ?? '(none)'],
    ['Raft members', raftMembers(s)],
    ['Raft term', String(s.raftTerm ?? 0)],
    ['Raft index', `commit ${s.raftCommitIndex ?? 0}, applied ${s.raftAppliedIndex ?? 0}`],
    ['SWIM members', String(s.swimMembers)],
    ['Shards', String(s.shardCount)],
    ['Shard map', s.shardMapVersion === 0 ? 'none committed' : `version ${s.shardMapVersion}`],
    ['Version', s.version ?? '(not reported)'],
    ['Created', time(s.createdAt)],
    ['Your address', s.callerAddress]
  ])
}

/** Raft members as this node's configuration has them, voters and non-voters apart (the words of `nodes`' SUFFRAGE). */
function raftMembers (s: StatusReply): string {
  if (s.raftVoters === undefined) return `${s.raftMembers} (this node's configuration)`
  return `${s.raftMembers}: ${s.raftVoters} Voter, ${s.raftMembers - s.raftVoters} NonVoter (this node's configuration)`
}

/** The endpoints every node publishes for the cluster's own parts, shown in columns of their own by `nodes`. */
const ADDRESS_COLUMNS: ReadonlyArray<[string, string]> = [['GOSSIP', 'swim'], ['RAFT', 'raft'], ['MANAGEMENT', MANAGEMENT_ENDPOINT]]

/** `funkctl nodes`: a table with the gossip, Raft and management addresses, the leader marked. */
export function formatNodes (nodes: readonly NodeSummary[]): string {
  if (nodes.length === 0) return 'no nodes\n'
  const own = new Set(ADDRESS_COLUMNS.map(([, name]) => name))
  return table(['NODE', 'SUFFRAGE', 'SWIM', 'LIVENESS', 'LEADER', ...ADDRESS_COLUMNS.map(([title]) => title), 'ENDPOINTS'], nodes.map(n => [
    n.id, n.suffrage, n.swim, n.liveness, n.leader ? 'yes' : '',
    ...ADDRESS_COLUMNS.map(([, name]) => n.endpoints.find(e => e.name === name)?.address ?? '-'),
    n.endpoints.filter(e => !own.has(e.name) && e.name !== 'liveness').map(e => `${e.name}=${e.address}`).join(' ')
  ]))
}

/** `funkctl shards`: shards and share per node, then the total. */
export function formatShards (s: ShardSummary): string {
  // With replicas, a REPLICAS column: the shards each node holds besides the ones it is primary of.
  const replicated = s.replicationFactor > 1
  const assigned = s.nodes.reduce((sum, n) => sum + n.shards, 0)
  const replicaTotal = s.nodes.reduce((sum, n) => sum + n.replicas, 0)
  const rows = s.nodes.map(n => [n.nodeId, String(n.shards), percent(n.percent), ...(replicated ? [String(n.replicas)] : [])])
  if (assigned < s.total) rows.push(['(unassigned)', String(s.total - assigned), percent(s.total === 0 ? 0 : (s.total - assigned) * 100 / s.total), ...(replicated ? [''] : [])])
  rows.push(['TOTAL', String(s.total), percent(s.total === 0 ? 0 : 100), ...(replicated ? [String(replicaTotal)] : [])])
  const version = s.mapVersion === 0 ? 'no shard map committed yet' : `shard map version ${s.mapVersion}${replicated ? `, ${s.replicationFactor} owners a shard (a primary and ${s.replicationFactor - 1} replica${s.replicationFactor > 2 ? 's' : ''})` : ''}`
  const header = ['NODE', 'SHARDS', 'PERCENT', ...(replicated ? ['REPLICAS'] : [])]
  return table(header, rows, ['left', 'right', 'right', 'right']) + version + '\n'
}

/** `funkctl endpoints`: one endpoint a line. */
export function formatEndpoints (endpoints: readonly NodeEndpoint[]): string {
  if (endpoints.length === 0) return 'no endpoints\n'
  return table(['NODE', 'NAME', 'ADDRESS'], endpoints.map(e => [e.nodeId, e.name, e.address]))
}

/** The endpoints grouped by name, names and nodes sorted. */
export function endpointTree (endpoints: readonly NodeEndpoint[]): Record<string, Array<{ nodeId: string, address: string }>> {
  const tree: Record<string, Array<{ nodeId: string, address: string }>> = {}
  const sorted = [...endpoints].sort((a, b) => a.name === b.name ? (a.nodeId < b.nodeId ? -1 : 1) : a.name < b.name ? -1 : 1)
  for (const e of sorted) (tree[e.name] ??= []).push({ nodeId: e.nodeId, address: e.address })
  return tree
}

/** `funkctl endpoints --tree`: endpoint names, each with the nodes holding it. */
export function formatEndpointTree (endpoints: readonly NodeEndpoint[]): string {
  if (endpoints.length === 0) return 'no endpoints\n'
  let out = ''
  for (const [name, holders] of Object.entries(endpointTree(endpoints))) {
    out += `${name}\n`
    const width = Math.max(...holders.map(h => h.nodeId.length))
    holders.forEach((h, i) => {
      out += `${i === holders.length - 1 ? '└─' : '├─'} ${h.nodeId.padEnd(width)}  ${h.address}\n`
    })
  }
  return out
}

/** What an event says, after its type. */
function eventDetail (e: ClusterEvent): string {
  switch (e.type) {
    case 'state:change': return `state=${e.state}`
    case 'role:change': return `role=${e.role}`
    case 'leader:change': return `leader=${e.leaderId ?? '(none)'}`
    case 'shards:change': return `version=${e.mapVersion} shards=${e.total}`
    case 'event:user': return `name=${e.name} origin=${e.origin} ltime=${e.ltime} payload=${JSON.stringify(Buffer.from(e.payload).toString('utf8'))}`
    default: return `node=${e.nodeId}`
  }
}

/** `funkctl watch`: one line an event, naming the node whose stream it is. */
export function formatEvent (e: ClusterEvent, node: string): string {
  return `${time(e.at)}  ${node}  ${e.type.padEnd(13)}  ${eventDetail(e)}\n`
}

/** `funkctl watch`'s first lines: the node's status and every node, before the events. */
export function formatSnapshot (s: StatusReply, nodes: readonly NodeSummary[] | undefined): string {
  const head = `snapshot  ${s.nodeId}  role=${s.role} state=${s.state} leader=${s.leaderId ?? '(none)'} map=${s.shardMapVersion} term=${s.raftTerm ?? 0}\n`
  if (nodes === undefined) return `${head}snapshot  ${s.nodeId}  (no node list: no leader to ask)\n`
  return head + nodes.map(n => `snapshot  ${s.nodeId}  node=${n.id} suffrage=${n.suffrage} swim=${n.swim} liveness=${n.liveness}${n.leader ? ' leader' : ''}\n`).join('')
}

/** `funkctl diag`: every record found, then a summary. */
export function formatDiag (clusterName: string, peers: readonly ZeroconfPeer[], browseMs: number): string {
  const seconds = `${(browseMs / 1000).toFixed(1)} s`
  if (peers.length === 0) return `no _clusterfunk._udp records of cluster ${clusterName} found in ${seconds}\n`
  const sorted = [...peers].sort((a, b) => a.nodeId === b.nodeId ? (a.kind < b.kind ? -1 : 1) : a.nodeId < b.nodeId ? -1 : 1)
  const rows = sorted.map(p => [p.nodeId, p.kind, p.addresses.join(',') || '-', String(p.port), String(p.protocolVersion), p.host, p.instance])
  const nodes = new Set(peers.map(p => p.nodeId)).size
  const mgmt = peers.filter(p => p.kind === 'mgmt').length
  return table(['NODE', 'KIND', 'ADDRESSES', 'PORT', 'PROTO', 'HOST', 'INSTANCE'], rows, ['left', 'left', 'left', 'right', 'right']) +
    `${nodes} node${nodes === 1 ? '' : 's'}, ${mgmt} management endpoint${mgmt === 1 ? '' : 's'} in cluster ${clusterName} (browsed ${seconds})\n`
}
