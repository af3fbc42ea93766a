import type { Command } from 'commander'
import type { CommandContext } from './commands.js'
import { json } from './format.js'

/** `funkctl event <name> [payload] [--coalesce]`: fires a user event from the node connected to. */
export async function event (ctx: CommandContext, name: string, payload: string, coalesce: boolean): Promise<void> {
  const client = await ctx.connect()
  try {
    const ltime = await client.fireEvent(name, new Uint8Array(Buffer.from(payload, 'utf8')), { coalesce, ...(ctx.io.signal === undefined ? {} : { signal: ctx.io.signal }) })
    ctx.io.stdout(ctx.options.json ? json({ fired: name, ltime, bytes: Buffer.byteLength(payload, 'utf8') }) : `fired ${name} at Lamport time ${ltime}\n`)
  } finally {
    client.close()
  }
}

/** Adds `event` to funkctl. */
export function registerEvent (root: Command, context: (cmd: Command) => CommandContext): void {
  root.command('event').argument('<name>', 'event name').argument('[payload]', 'payload (UTF-8 text)', '')
    .option('--coalesce', 'a later event of the same name may replace this one')
    .description('fire a user event: gossiped to every node, delivered there as event:user')
    .action(async (name: string, payload: string, opts: { coalesce?: boolean }, cmd: Command) => {
      await event(context(cmd), name, payload, opts.coalesce === true)
    })
}
