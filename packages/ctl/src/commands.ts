import { AbortError } from '@clusterfunk/core'
import { parseHostPort, type ManagementClient } from '@clusterfunk/management'
import { browse } from './connect.js'
import { UsageError } from './exit-codes.js'
import {
  endpointTree, formatDiag, formatEndpointTree, formatEndpoints, formatEvent, formatNodes, formatShards, formatSnapshot, formatStatus, json
} from './format.js'
import type { CtlIo } from './io.js'
import { filterNodes, type NodeFilters } from './node-filter.js'
import { DISCOVER_MS, type GlobalOptions } from './options.js'
import { withTlsHint } from './tls-hint.js'

/** What every command gets. */
export interface CommandContext {
  io: CtlIo
  options: GlobalOptions
  /** Connects to the cluster (once per command). */
  connect: () => Promise<ManagementClient>
  /** Connects to one node's management endpoint, with the same token, TLS and deadline. */
  connectTo: (address: string) => Promise<ManagementClient>
}

/** Runs `fn` with a client of the cluster (of `address` when given); an unreachable node's error says which flag to check. */
export async function withClient<T> (ctx: CommandContext, fn: (client: ManagementClient) => Promise<T>, address?: string): Promise<T> {
  const client = address === undefined ? await ctx.connect() : await ctx.connectTo(address)
  try {
    return await fn(client)
  } catch (err) {
    throw withTlsHint(err, ctx.options.tlsCa)
  } finally {
    client.close()
  }
}

export const call = (ctx: CommandContext): { signal?: AbortSignal } => ctx.io.signal === undefined ? {} : { signal: ctx.io.signal }

export async function status (ctx: CommandContext): Promise<void> {
  const s = await withClient(ctx, async c => await c.status(call(ctx)))
  ctx.io.stdout(ctx.options.json ? json(s) : formatStatus(s))
}

export async function nodes (ctx: CommandContext, filters: NodeFilters = {}): Promise<void> {
  const list = filterNodes(await withClient(ctx, async c => await c.nodes(call(ctx))), filters)
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
  // The same word as the SUFFRAGE column of `nodes` and its JSON.
  const suffrage = nonVoter ? 'NonVoter' : 'Voter'
  ctx.io.stdout(ctx.options.json ? json({ added: id, address, suffrage }) : `added ${id} at ${address} as ${suffrage}\n`)
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

/**
 * Streams events until the io's signal fires (Ctrl-C), the server stops, or
 * the connection fails. It starts with a snapshot (the node's status and
 * every node, as `status` and `nodes` show them), and every line names the
 * node whose stream it is.
 */
export async function watch (ctx: CommandContext): Promise<void> {
  await withClient(ctx, async c => {
    try {
      // Subscribe first (the first next() opens the stream), so nothing that happens while the snapshot is taken is lost.
      const events = c.watch(call(ctx))
      let pending = events.next()
      pending.catch(() => {}) // awaited below; this only keeps an early failure from counting as unhandled meanwhile
      const status = await c.status(call(ctx))
      // The node list comes from the leader; without one the snapshot has the node's status only.
      const list = await c.nodes(call(ctx)).catch(() => undefined)
      const node = status.nodeId
      ctx.io.stdout(ctx.options.json
        ? JSON.stringify({ type: 'snapshot', node, status, nodes: list ?? null }) + '\n'
        : formatSnapshot(status, list))
      for (;;) {
        const r = await pending
        if (r.done === true) break
        ctx.io.stdout(ctx.options.json ? JSON.stringify({ node, ...r.value }) + '\n' : formatEvent(r.value, node))
        pending = events.next()
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
