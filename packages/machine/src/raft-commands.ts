import path from 'node:path'
import { parseHostPort, joinHostPort } from '@clusterfunk/core'
import { SyntaxError, WrongArgsError } from './errors.js'
import { globToRegExp } from './glob.js'
import type { AnyMachineNode } from './machine-node.js'
import { OK, errorText, toFrame } from './reply.js'
import type { RespFrame } from './resp-frame.js'
import { RAFT_PORT_OFFSET } from './constants.js'
import type { Member } from './raft-deps.js'

const frame = (v: unknown): RespFrame => toFrame(v, 3)
const err = (e: unknown): RespFrame => ({ type: 'error', value: errorText(e) })

type Node = AnyMachineNode

/**
 * RAFT LEADER | INFO [pattern] | SERVER LIST | SERVER ADD id address
 * [raft-address] [NONVOTER] | SERVER REMOVE id | SERVER PROMOTE id |
 * SERVER DEMOTE id | SNAPSHOT NOW | SNAPSHOT LIST | SNAPSHOT FILE id |
 * SNAPSHOT READ id [RANGE start end]. Addresses are client addresses; a
 * member's Raft address defaults to its client port + 10 000.
 */
export async function raftCommand (node: Node, args: string[]): Promise<RespFrame> {
  const sub = (args[1] ?? '').toLowerCase()
  switch (sub) {
    case 'leader': {
      const address = node.leaderClientAddress()
      return address === undefined ? { type: 'error', value: 'CLUSTERDOWN the leader is not known yet' } : frame(address)
    }
    case 'info': return info(node, args[2])
    case 'server': return await server(node, args)
    case 'snapshot': return await snapshot(node, args)
    case 'peer': {
      // Internal: a member tells the leader its client address.
      if (args.length !== 4) return err(new WrongArgsError('raft peer'))
      const [, , id, address] = args as [string, string, string, string]
      return await node.leaderOnly(args, async () => await node.propose({ kind: 'peer', nodeId: id, clientAddress: address }))
    }
    default: return err(new SyntaxError(`unknown RAFT subcommand '${args[1] ?? ''}'`))
  }
}

function info (node: Node, pattern: string | undefined): RespFrame {
  const s = node.stats()
  const fields: Array<[string, unknown]> = [
    ['id', s.id], ['address', node.clientAddress], ['raft_address', s.address], ['state', s.role], ['term', s.term],
    ['leader_id', s.leaderId ?? ''], ['leader_address', node.leaderClientAddress() ?? ''],
    ['commit_index', s.commitIndex], ['applied_index', s.appliedIndex], ['first_log_index', s.firstIndex], ['last_log_index', s.lastIndex],
    ['snapshot_index', s.snapshotIndex], ['num_voters', s.configuration.voters.length], ['num_nonvoters', s.configuration.nonVoters.length],
    ['pending_proposals', s.pendingProposals]
  ]
  const re = pattern === undefined ? undefined : globToRegExp(pattern)
  return frame(new Map(fields.filter(([k]) => re === undefined || re.test(k))))
}

function members (node: Node): Array<{ member: Member, voter: boolean }> {
  const c = node.stats().configuration
  return [...c.voters.map(member => ({ member, voter: true })), ...c.nonVoters.map(member => ({ member, voter: false }))]
}

async function server (node: Node, args: string[]): Promise<RespFrame> {
  const op = (args[2] ?? '').toLowerCase()
  const s = node.stats()
  switch (op) {
    case 'list':
      return frame(members(node).map(({ member, voter }) => new Map<string, unknown>([
        ['id', member.id], ['address', node.fsm.peers.get(member.id) ?? ''], ['raft_address', member.address],
        ['leader', member.id === s.leaderId], ['voter', voter]
      ])))
    case 'add': {
      if (args.length < 5 || args.length > 7) return err(new WrongArgsError('raft server add'))
      const id = args[3] as string
      const address = args[4] as string
      const rest = args.slice(5)
      const nonVoter = rest.length > 0 && (rest[rest.length - 1] as string).toLowerCase() === 'nonvoter'
      if (nonVoter) rest.pop()
      const client = parseHostPort(address)
      if (client === undefined) return err(new SyntaxError(`address '${address}' is not host:port`))
      const raftAddress = rest[0] ?? joinHostPort(client.host, client.port + RAFT_PORT_OFFSET)
      if (rest.length > 1 || parseHostPort(raftAddress) === undefined) return err(new SyntaxError())
      return await node.leaderOnly(args, async () => {
        const known = members(node).find(m => m.member.id === id)
        if (known === undefined || known.member.address !== raftAddress || known.voter === nonVoter) {
          if (nonVoter) await node.raft.addNonVoter(id, raftAddress)
          else await node.raft.addVoter(id, raftAddress)
        }
        await node.propose({ kind: 'peer', nodeId: id, clientAddress: address })
        return frame(OK)
      })
    }
    case 'remove': {
      if (args.length !== 4) return err(new WrongArgsError('raft server remove'))
      const id = args[3] as string
      return await node.leaderOnly(args, async () => {
        if (members(node).some(m => m.member.id === id)) await node.raft.removeServer(id)
        await node.propose({ kind: 'unpeer', nodeId: id })
        return frame(OK)
      })
    }
    case 'promote': {
      if (args.length !== 4) return err(new WrongArgsError('raft server promote'))
      const id = args[3] as string
      return await node.leaderOnly(args, async () => {
        const m = members(node).find(x => x.member.id === id)
        if (m === undefined) return err(new Error(`no member '${id}'`))
        if (!m.voter) await node.raft.addVoter(id, m.member.address)
        return frame(OK)
      })
    }
    case 'demote': {
      if (args.length !== 4) return err(new WrongArgsError('raft server demote'))
      const id = args[3] as string
      return await node.leaderOnly(args, async () => {
        const m = members(node).find(x => x.member.id === id)
        if (m === undefined) return err(new Error(`no member '${id}'`))
        if (m.voter) await node.raft.demoteVoter(id)
        return frame(OK)
      })
    }
    default: return err(new SyntaxError(`unknown RAFT SERVER subcommand '${args[2] ?? ''}'`))
  }
}

async function snapshot (node: Node, args: string[]): Promise<RespFrame> {
  const op = (args[2] ?? '').toLowerCase()
  switch (op) {
    case 'now': {
      const info = await node.raft.snapshot()
      return info === undefined ? err(new Error('nothing new to snapshot')) : frame(info.id)
    }
    case 'list':
      return frame((await node.snapshotList()).map(i => new Map<string, unknown>([['id', i.id], ['index', i.index], ['term', i.term], ['size', i.size]])))
    case 'file': {
      if (args.length !== 4) return err(new WrongArgsError('raft snapshot file'))
      const info = await find(node, args[3] as string)
      return info === undefined ? err(new Error('snapshot not found')) : frame(path.join(node.snapshotDir(), info.id, 'state.bin'))
    }
    case 'read': {
      if (args.length !== 4 && args.length !== 7) return err(new WrongArgsError('raft snapshot read'))
      const info = await find(node, args[3] as string)
      if (info === undefined) return err(new Error('snapshot not found'))
      let start = 0
      let end = info.size - 1
      if (args.length === 7) {
        if ((args[4] as string).toLowerCase() !== 'range' || !/^\d+$/.test(args[5] as string) || !/^\d+$/.test(args[6] as string)) return err(new SyntaxError())
        start = Number(args[5])
        end = Math.min(Number(args[6]), info.size - 1)
      }
      const { stream } = await node.snapshots.open(info.id)
      const parts: Buffer[] = []
      let at = 0
      for await (const chunk of stream) {
        const b = Buffer.from(chunk)
        const lo = Math.max(start - at, 0)
        const hi = Math.min(end + 1 - at, b.length)
        if (hi > lo) parts.push(b.subarray(lo, hi))
        at += b.length
        if (at > end) break
      }
      return frame(Buffer.concat(parts))
    }
    default: return err(new SyntaxError(`unknown RAFT SNAPSHOT subcommand '${args[2] ?? ''}'`))
  }
}

async function find (node: Node, id: string): Promise<{ id: string, size: number } | undefined> {
  return (await node.snapshotList()).find(i => i.id === id)
}
