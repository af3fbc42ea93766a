import { AbortError } from '@clusterfunk/core'
import { parseHostPort, type ManagementClient } from '@clusterfunk/management'
import { browse } from './connect.js'
import { UsageError } from './exit-codes.js'
import {
  endpointTree, formatDiag, formatEndpointTree, formatEndpoints, formatEvent, formatNodes, formatShards, formatStatus, json
} from './format.js'
import type { CtlIo } from './io.js'
import { DISCOVER_MS, type GlobalOptions } from './options.js'

/** What every command gets. */
export interface CommandContext {
  io: CtlIo
  options: GlobalOptions
  /** Connects to the cluster (once per command). */
  connect: () => Promise<ManagementClient>
}

async function withClient<T> (ctx: CommandContext, fn: (client: ManagementClient) => Promise<T>): Promise<T> {
  const client = await ctx.connect()
  try {
    return await fn(client)
  } finally {
    client.close()
  }
}

const call = (ctx: CommandContext): { signal?: AbortSignal } => ctx.io.signal === undefined ? {} : { signal: ctx.io.signal }

export async function status (ctx: CommandContext): Promise<void> {
  const s = await withClient(ctx, async c => await c.status(call(ctx)))
  ctx.io.stdout(ctx.options.json ? json(s) : formatStatus(s))
}

export async function nodes (ctx: CommandContext): Promise<void> {
  const list = await withClient(ctx, async c => await c.nodes(call(ctx)))
  ctx.io.stdout(ctx.options.json ? json(list) : formatNodes(list))
}

export async function shards (ctx: CommandContext): Promise<void> {
  const s = await withClient(ctx, async c => await c.shards(call(ctx)))
  ctx.io.stdout(ctx.options.json ? json(s) : formatShards(s))
}

export async function endpoints (ctx: CommandContext, filter: string | undefined, tree: boolean): Promise<void> {
  const list = await withClient(ctx, async c => await c.endpoints(filter, call(ctx)))
  if (ctx.options.json) ctx.io.stdout(json(tree ? endpointTree(list) : list))
  else ctx.io.stdout(tree ? formatEndpointTree(list) : formatEndpoints(list))
}

export async function nodeAdd (ctx: CommandContext, id: string, address: string, nonVoter: boolean): Promise<void> {
  if (id.trim() === '') throw new UsageError('the node id must not be empty')
  if (parseHostPort(address) === undefined) throw new UsageError(`the node address must be host:port, not "${address}"`)
  await withClient(ctx, async c => { await c.addNode({ id, address, nonVoter }, call(ctx)) })
  const suffrage = nonVoter ? 'non-voter' : 'voter'
  ctx.io.stdout(ctx.options.json ? json({ added: id, address, suffrage }) : `added ${id} at ${address} as a ${suffrage}\n`)
}

export async function nodeRemove (ctx: CommandContext, id: string): Promise<void> {
  if (id.trim() === '') throw new UsageError('the node id must not be empty')
  await withClient(ctx, async c => { await c.removeNode(id, call(ctx)) })
  ctx.io.stdout(ctx.options.json ? json({ removed: id }) : `removed ${id}\n`)
}

export async function stepDown (ctx: CommandContext): Promise<void> {
  const leader = await withClient(ctx, async c => {
    await c.stepDown(call(ctx))
    return (await c.status(call(ctx))).leaderId
  })
  ctx.io.stdout(ctx.options.json
    ? json({ steppedDown: true, leaderId: leader ?? null })
    : `the leader stepped down; the leader is now ${leader ?? '(being elected)'}\n`)
}

/** Streams events until the io's signal fires (Ctrl-C), the server stops, or the connection fails. */
export async function watch (ctx: CommandContext): Promise<void> {
  await withClient(ctx, async c => {
    try {
      for await (const event of c.watch(call(ctx))) {
        ctx.io.stdout(ctx.options.json ? JSON.stringify(event) + '\n' : formatEvent(event))
      }
    } catch (err) {
      if (!(err instanceof AbortError && ctx.io.signal?.aborted === true)) throw err
    }
  })
}

/** Browses zeroconf for the cluster's records and lists them. */
export async function diag (ctx: CommandContext): Promise<void> {
  const cluster = ctx.options.cluster
  if (cluster === undefined) throw new UsageError('diag needs --cluster <name> (or FUNKCTL_CLUSTER)')
  const peers = await (ctx.io.discover ?? browse)(cluster, DISCOVER_MS)
  ctx.io.stdout(ctx.options.json ? json(peers) : formatDiag(cluster, peers, DISCOVER_MS))
}
