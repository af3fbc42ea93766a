import type { Command } from 'commander'
import type { QueryReplyItem } from '@clusterfunk/management'
import type { CommandContext } from './commands.js'
import { UsageError } from './exit-codes.js'
import { json } from './format.js'

/** What `funkctl query` asks. */
export interface QueryArgs {
  name: string
  payload: string
  nodes: string[]
  tags: string[]
}

/** `k=v` pairs as a tag filter. @throws UsageError for a pair without `=` or with an empty key */
export function parseTags (pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const pair of pairs) {
    const at = pair.indexOf('=')
    if (at <= 0) throw new UsageError(`--tag takes key=value, not "${pair}"`)
    out[pair.slice(0, at)] = pair.slice(at + 1)
  }
  return out
}

function line (r: QueryReplyItem): string {
  return r.ack ? `ack       ${r.from}\n` : `response  ${r.from}  ${JSON.stringify(Buffer.from(r.payload).toString('utf8'))}\n`
}

/**
 * `funkctl query <name> [payload] [--node id]... [--tag k=v]...`: runs a
 * query from the node connected to and prints each ack and response as it
 * comes, until the query's timeout (the global `--timeout`).
 */
export async function query (ctx: CommandContext, args: QueryArgs): Promise<void> {
  const filterTags = parseTags(args.tags)
  const client = await ctx.connect()
  const replies: Array<{ from: string, type: 'ack' | 'response', payload?: string }> = []
  try {
    for await (const r of client.query({ name: args.name, payload: new Uint8Array(Buffer.from(args.payload, 'utf8')), filterNodes: args.nodes, filterTags, timeoutMs: ctx.options.timeoutMs },
      ctx.io.signal === undefined ? {} : { signal: ctx.io.signal })) {
      if (ctx.options.json) replies.push(r.ack ? { from: r.from, type: 'ack' } : { from: r.from, type: 'response', payload: Buffer.from(r.payload).toString('utf8') })
      else ctx.io.stdout(line(r))
    }
  } finally {
    client.close()
  }
  if (ctx.options.json) ctx.io.stdout(json({ query: args.name, replies }))
}

const collectValues = (value: string, previous: string[]): string[] => [...previous, value]

/** Adds `query` to funkctl. */
export function registerQuery (root: Command, context: (cmd: Command) => CommandContext): void {
  root.command('query').argument('<name>', 'query name').argument('[payload]', 'payload (UTF-8 text)', '')
    .option('--node <id>', 'only this node answers (repeatable)', collectValues, [])
    .option('--tag <key=value>', 'only nodes with this tag answer (repeatable; member info is info.<key>)', collectValues, [])
    .description('run a query: every matching node acks and answers; waits --timeout (default 5s)')
    .action(async (name: string, payload: string, opts: { node: string[], tag: string[] }, cmd: Command) => {
      await query(context(cmd), { name, payload, nodes: opts.node, tags: opts.tag })
    })
}
