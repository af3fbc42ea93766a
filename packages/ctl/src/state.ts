import { AbortError, InvalidArgumentError } from '@clusterfunk/core'
import type { Command } from 'commander'
import type { StateChange, StateRecord, StateWriteReply } from '@clusterfunk/management'
import type { CommandContext } from './commands.js'
import { UsageError } from './exit-codes.js'
import { json } from './format.js'

const decoder = new TextDecoder('utf-8', { fatal: true })

/** A value as text when it is UTF-8, else as base64. */
function shown (value: Uint8Array): { value: string, encoding: 'utf8' | 'base64' } {
  try {
    return { value: decoder.decode(value), encoding: 'utf8' }
  } catch {
    return { value: Buffer.from(value).toString('base64'), encoding: 'base64' }
  }
}

function recordJson (r: StateRecord): Record<string, unknown> {
  return { key: r.key, ...shown(r.value), revision: r.revision, createdRevision: r.createdRevision, writtenAt: new Date(r.writtenAtMs).toISOString() }
}

function changeJson (c: StateChange): Record<string, unknown> {
  return { type: c.type, key: c.key, ...(c.type === 'put' ? shown(c.value) : {}), revision: c.revision, writtenAt: new Date(c.writtenAtMs).toISOString() }
}

/** A revision from the command line: a whole number ≥ 0. @throws UsageError */
function revisionOf (raw: string | undefined, what: string): number | undefined {
  if (raw === undefined) return undefined
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw new UsageError(`${what} must be a whole number ≥ 0, not "${raw}"`)
  return Number(raw)
}

function written (key: string, reply: StateWriteReply): number {
  switch (reply.outcome) {
    case 'ok': return reply.revision
    case 'mismatch': throw new InvalidArgumentError(`key "${key}" is at revision ${reply.actual}, not the one expected`)
    case 'limit': throw new InvalidArgumentError(reply.message)
  }
}

const call = (ctx: CommandContext): { signal?: AbortSignal } => ctx.io.signal === undefined ? {} : { signal: ctx.io.signal }

async function withClient<T> (ctx: CommandContext, fn: (client: Awaited<ReturnType<CommandContext['connect']>>) => Promise<T>): Promise<T> {
  const client = await ctx.connect()
  try {
    return await fn(client)
  } finally {
    client.close()
  }
}

export async function stateGet (ctx: CommandContext, key: string, consistent: boolean): Promise<void> {
  const { record } = await withClient(ctx, async c => await c.stateGet(key, { consistent, ...call(ctx) }))
  if (ctx.options.json) ctx.io.stdout(json(record === undefined ? { key, found: false } : { found: true, ...recordJson(record) }))
  else if (record === undefined) throw new InvalidArgumentError(`no key "${key}"`)
  else ctx.io.stdout(`${shown(record.value).value}\n`)
}

export async function stateList (ctx: CommandContext, prefix: string, consistent: boolean): Promise<void> {
  const { records, revision } = await withClient(ctx, async c => await c.stateList(prefix, { consistent, ...call(ctx) }))
  if (ctx.options.json) ctx.io.stdout(json({ revision, entries: records.map(recordJson) }))
  else ctx.io.stdout(records.map(r => `${r.key}\t${r.revision}\t${shown(r.value).value}\n`).join(''))
}

export async function statePut (ctx: CommandContext, key: string, value: string, expect: string | undefined): Promise<void> {
  const expected = revisionOf(expect, '--expect')
  const reply = await withClient(ctx, async c => await c.stateWrite({ type: 'put', key, value: new TextEncoder().encode(value), ...(expected === undefined ? {} : { expected }) }, call(ctx)))
  const revision = written(key, reply)
  ctx.io.stdout(ctx.options.json ? json({ key, revision }) : `${key} set at revision ${revision}\n`)
}

export async function stateDelete (ctx: CommandContext, key: string, expect: string | undefined): Promise<void> {
  const expected = revisionOf(expect, '--expect')
  const reply = await withClient(ctx, async c => await c.stateWrite({ type: 'delete', key, ...(expected === undefined ? {} : { expected }) }, call(ctx)))
  const revision = written(key, reply)
  ctx.io.stdout(ctx.options.json ? json({ key, deleted: true, revision }) : `${key} deleted at revision ${revision}\n`)
}

/** Streams writes under `prefix` until the io's signal fires (Ctrl-C) or the server ends the stream. */
export async function stateWatch (ctx: CommandContext, prefix: string, from: string | undefined): Promise<void> {
  const fromRevision = revisionOf(from, '--from') ?? 0
  await withClient(ctx, async c => {
    try {
      for await (const change of c.stateWatch(prefix, fromRevision, call(ctx))) {
        ctx.io.stdout(ctx.options.json
          ? JSON.stringify(changeJson(change)) + '\n'
          : `${change.revision}\t${change.type}\t${change.key}${change.type === 'put' ? `\t${shown(change.value).value}` : ''}\n`)
      }
    } catch (err) {
      if (!(err instanceof AbortError && ctx.io.signal?.aborted === true)) throw err
    }
  })
}

/** `funkctl state get|list|put|del|watch`. */
export function registerState (root: Command, context: (cmd: Command) => CommandContext): void {
  const state = root.command('state').description('the cluster\'s shared key/value state')
  state.command('get').argument('<key>').option('--consistent', 'confirm through the leader first (ReadIndex)').description('print a key\'s value')
    .action(async (key: string, opts: { consistent?: boolean }, cmd: Command) => { await stateGet(context(cmd), key, opts.consistent === true) })
  state.command('list').argument('[prefix]', 'only keys starting with this', '').option('--consistent', 'confirm through the leader first (ReadIndex)')
    .description('list keys, revisions and values')
    .action(async (prefix: string, opts: { consistent?: boolean }, cmd: Command) => { await stateList(context(cmd), prefix, opts.consistent === true) })
  state.command('put').argument('<key>').argument('<value>', 'stored as UTF-8').option('--expect <revision>', 'only if the key is at this revision (0: absent)')
    .description('set a key (through the leader)')
    .action(async (key: string, value: string, opts: { expect?: string }, cmd: Command) => { await statePut(context(cmd), key, value, opts.expect) })
  state.command('del').alias('delete').argument('<key>').option('--expect <revision>', 'only if the key is at this revision')
    .description('delete a key (through the leader)')
    .action(async (key: string, opts: { expect?: string }, cmd: Command) => { await stateDelete(context(cmd), key, opts.expect) })
  state.command('watch').argument('[prefix]', 'only keys starting with this', '').option('--from <revision>', 'replay from this revision on')
    .description('stream writes until Ctrl-C')
    .action(async (prefix: string, opts: { from?: string }, cmd: Command) => { await stateWatch(context(cmd), prefix, opts.from) })
}
