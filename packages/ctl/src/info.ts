import type { Command } from 'commander'
import type { MemberInfoEntry } from '@clusterfunk/management'
import type { CommandContext } from './commands.js'
import { json } from './format.js'

/** The info of each node, one `key=value` list a line. */
export function formatInfo (entries: readonly MemberInfoEntry[]): string {
  if (entries.length === 0) return '(no live nodes)\n'
  const width = Math.max(4, ...entries.map(e => e.nodeId.length))
  let out = `${'NODE'.padEnd(width)}  INFO\n`
  for (const e of entries) {
    const pairs = Object.entries(e.info).map(([k, v]) => `${k}=${v}`).join(' ')
    out += `${e.nodeId.padEnd(width)}  ${pairs === '' ? '-' : pairs}\n`
  }
  return out
}

/** `funkctl info [node]`: the member info of one node or of every live node. */
export async function info (ctx: CommandContext, nodeId: string | undefined): Promise<void> {
  const client = await ctx.connect()
  try {
    const entries = await client.memberInfo(nodeId, ctx.io.signal === undefined ? {} : { signal: ctx.io.signal })
    ctx.io.stdout(ctx.options.json ? json(nodeId === undefined ? entries : entries[0] ?? null) : formatInfo(entries))
  } finally {
    client.close()
  }
}

/** Adds `info` to funkctl. */
export function registerInfo (root: Command, context: (cmd: Command) => CommandContext): void {
  root.command('info').argument('[node]', 'one node (default every live node)')
    .description('member info (set with Cluster.setMemberInfo) of one node or all')
    .action(async (node: string | undefined, _opts: unknown, cmd: Command) => { await info(context(cmd), node) })
}
