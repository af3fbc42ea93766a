import { MANAGEMENT_ENDPOINT, type StatusReply } from '@clusterfunk/management'
import { call, withClient, type CommandContext } from './commands.js'
import { describeError } from './exit-codes.js'
import { json } from './format.js'
import { table } from './table.js'

/** One member as `status --cluster` shows it (etcdctl's `endpoint status --cluster`). */
export interface MemberStatus {
  id: string
  /** Its management endpoint, `host:port` ('' when it publishes none). */
  address: string
  suffrage: string
  /** Filled when the member answered. */
  role?: string
  state?: string
  raftTerm?: number
  raftCommitIndex?: number
  raftAppliedIndex?: number
  shardMapVersion?: number
  leaderId?: string | null
  version?: string | null
  /** Why it did not answer. */
  error?: string
}

function answered (id: string, address: string, suffrage: string, s: StatusReply): MemberStatus {
  return {
    id,
    address,
    suffrage,
    role: s.role,
    state: s.state,
    raftTerm: s.raftTerm ?? 0,
    raftCommitIndex: s.raftCommitIndex ?? 0,
    raftAppliedIndex: s.raftAppliedIndex ?? 0,
    shardMapVersion: s.shardMapVersion,
    leaderId: s.leaderId ?? null,
    version: s.version ?? null
  }
}

/**
 * `funkctl status --cluster`: the node list (from the leader, through any
 * node), then every member's own GetStatus, dialled at the management
 * endpoint it publishes, in parallel with the same token, TLS and deadline.
 * A member that does not answer is listed with the reason.
 */
export async function clusterStatus (ctx: CommandContext): Promise<MemberStatus[]> {
  const list = await withClient(ctx, async c => await c.nodes(call(ctx)))
  return await Promise.all(list.map(async n => {
    const address = n.endpoints.find(e => e.name === MANAGEMENT_ENDPOINT)?.address ?? ''
    if (address === '') return { id: n.id, address, suffrage: n.suffrage, error: 'publishes no management endpoint' }
    try {
      const s = await withClient(ctx, async c => await c.status(call(ctx)), address)
      return answered(n.id, address, n.suffrage, s)
    } catch (err) {
      return { id: n.id, address, suffrage: n.suffrage, error: describeError(err).message }
    }
  }))
}

/** The table of `status --cluster`: one row a member, the same words as `status` and `nodes`. */
export function formatClusterStatus (members: readonly MemberStatus[]): string {
  if (members.length === 0) return 'no nodes\n'
  const withErrors = members.some(m => m.error !== undefined)
  const rows = members.map(m => [
    m.id, m.address || '-', m.suffrage, m.role ?? '-', m.state ?? '-',
    m.raftTerm === undefined ? '-' : String(m.raftTerm),
    m.raftCommitIndex === undefined ? '-' : String(m.raftCommitIndex),
    m.raftAppliedIndex === undefined ? '-' : String(m.raftAppliedIndex),
    m.shardMapVersion === undefined ? '-' : String(m.shardMapVersion),
    m.leaderId ?? '-', m.version ?? '-',
    ...(withErrors ? [m.error ?? ''] : [])
  ])
  return table(['NODE', 'ADDRESS', 'SUFFRAGE', 'ROLE', 'STATE', 'TERM', 'COMMIT', 'APPLIED', 'MAP', 'LEADER', 'VERSION', ...(withErrors ? ['ERROR'] : [])], rows,
    ['left', 'left', 'left', 'left', 'left', 'right', 'right', 'right', 'right'])
}

/** Prints `status --cluster` as a table or JSON. */
export async function printClusterStatus (ctx: CommandContext): Promise<void> {
  const members = await clusterStatus(ctx)
  ctx.io.stdout(ctx.options.json ? json(members) : formatClusterStatus(members))
}
