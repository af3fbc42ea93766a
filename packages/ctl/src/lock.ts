import { InvalidArgumentError } from '@clusterfunk/core'
import type { Command } from 'commander'
import type { LockInfo } from '@clusterfunk/management'
import type { CommandContext } from './commands.js'
import { UsageError } from './exit-codes.js'
import { json } from './format.js'
import { table } from './table.js'

const call = (ctx: CommandContext): { signal?: AbortSignal } => ctx.io.signal === undefined ? {} : { signal: ctx.io.signal }

function lockJson (l: LockInfo): Record<string, unknown> {
  return {
    name: l.name,
    holder: l.holder === undefined ? null : { owner: l.holder.owner, node: l.holder.nodeId, token: l.holder.token, expiresAt: new Date(l.holder.expiresAtMs).toISOString() },
    waiters: l.waiters
  }
}

export async function lockList (ctx: CommandContext): Promise<void> {
  const client = await ctx.connect()
  try {
    const locks = await client.locks(call(ctx))
    if (ctx.options.json) ctx.io.stdout(json(locks.map(lockJson)))
    else if (locks.length === 0) ctx.io.stdout('no locks held\n')
    else {
      ctx.io.stdout(table(['LOCK', 'TOKEN', 'NODE', 'HOLDER', 'EXPIRES', 'WAITERS'], locks.map(l => [
        l.name, String(l.holder?.token ?? '-'), l.holder?.nodeId ?? '-', l.holder?.owner ?? '-',
        l.holder === undefined ? '-' : new Date(l.holder.expiresAtMs).toISOString(), String(l.waiters.length)
      ])))
    }
  } finally {
    client.close()
  }
}

/** Ends lease `token` on lock `name` whoever holds it; the next waiter is granted. */
export async function lockRelease (ctx: CommandContext, name: string, rawToken: string): Promise<void> {
  if (!/^\d+$/.test(rawToken) || Number(rawToken) < 1 || !Number.isSafeInteger(Number(rawToken))) throw new UsageError(`the token must be a whole number ≥ 1, not "${rawToken}"`)
  const token = Number(rawToken)
  const client = await ctx.connect()
  try {
    const reply = await client.lockCall({ type: 'release', name, token }, call(ctx))
    if (reply.outcome !== 'released') throw new InvalidArgumentError(`lock "${name}" is not held under token ${token}`)
    ctx.io.stdout(ctx.options.json ? json({ name, token, released: true }) : `released ${name} (token ${token})\n`)
  } finally {
    client.close()
  }
}

/** `funkctl lock list|release`. */
export function registerLock (root: Command, context: (cmd: Command) => CommandContext): void {
  const lock = root.command('lock').description('the cluster\'s named locks')
  lock.command('list').description('locks held or waited for: holder, fencing token, expiry, waiters')
    .action(async (_opts: unknown, cmd: Command) => { await lockList(context(cmd)) })
  lock.command('release').argument('<name>').argument('<token>', 'the fencing token of the lease to end (see lock list)')
    .description('end a lease whoever holds it; the next waiter is granted')
    .action(async (name: string, token: string, _opts: unknown, cmd: Command) => { await lockRelease(context(cmd), name, token) })
}
