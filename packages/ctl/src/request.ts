import type { Command } from 'commander'
import { MANAGEMENT_ENDPOINT, UnknownNodeError } from '@clusterfunk/management'
import { call, withClient, type CommandContext } from './commands.js'
import { UsageError } from './exit-codes.js'
import { json } from './format.js'

/**
 * `funkctl request <node> <topic> [payload]`: sends a request to the
 * handler node `node` registered for `topic` (`cluster.handle`), dialled at
 * the management endpoint it publishes, and prints its answer. The answer
 * is printed as UTF-8 text, or as base64 with `--base64`. The handler has
 * the global `--timeout` to answer.
 */
export async function request (ctx: CommandContext, nodeId: string, topic: string, payload: string, opts: { base64: boolean }): Promise<void> {
  if (nodeId.trim() === '') throw new UsageError('the node id must not be empty')
  // The endpoints come from gossip, so any node answers, with or without a leader.
  const endpoints = await withClient(ctx, async c => await c.endpoints(MANAGEMENT_ENDPOINT, call(ctx)))
  const address = endpoints.find(e => e.nodeId === nodeId && e.name === MANAGEMENT_ENDPOINT)?.address
  if (address === undefined) throw new UnknownNodeError(nodeId, `unknown node ${nodeId}: no live node by that id publishes a management endpoint`)
  const body = new Uint8Array(Buffer.from(payload, 'utf8'))
  const answer = await withClient(ctx, async c => await c.sendRequest(topic, body, call(ctx)), address)
  const bytes = Buffer.from(answer)
  if (ctx.options.json) {
    ctx.io.stdout(json({ node: nodeId, topic, bytes: bytes.length, answer: opts.base64 ? bytes.toString('base64') : bytes.toString('utf8'), encoding: opts.base64 ? 'base64' : 'utf8' }))
  } else {
    ctx.io.stdout(`${opts.base64 ? bytes.toString('base64') : bytes.toString('utf8')}\n`)
  }
}

/** Adds `request` to funkctl. */
export function registerRequest (root: Command, context: (cmd: Command) => CommandContext): void {
  root.command('request').argument('<node>', 'the node whose handler answers').argument('<topic>', 'the handler\'s topic').argument('[payload]', 'payload (UTF-8 text)', '')
    .option('--base64', 'print the answer as base64 instead of UTF-8 text')
    .description('send a request to one node\'s handler for a topic (cluster.handle) and print its answer')
    .action(async (node: string, topic: string, payload: string, opts: { base64?: boolean }, cmd: Command) => {
      await request(context(cmd), node, topic, payload, { base64: opts.base64 === true })
    })
}
