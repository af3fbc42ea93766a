import { InvalidArgumentError } from '@clusterfunk/core'

/** A node's identity in the Raft group. Unique, never the empty string. */
export type NodeId = string

/** One member of the group: its id and the address its transport dials. */
export interface Member {
  readonly id: NodeId
  readonly address: string
}

/**
 * The membership of the group. Voters elect leaders and count towards
 * commit quorums; non-voters receive the log but never vote or campaign.
 * A node is in at most one of the two lists.
 */
export interface Configuration {
  readonly voters: readonly Member[]
  readonly nonVoters: readonly Member[]
}

/**
 * One membership change. Changes are applied one at a time (single-server
 * changes, Raft dissertation §4.1). To add a voter safely, add it as a
 * non-voter, wait until it has caught up, then promote it.
 */
export type ConfigChange =
  | { readonly type: 'addVoter', readonly id: NodeId, readonly address: string }
  | { readonly type: 'addNonVoter', readonly id: NodeId, readonly address: string }
  | { readonly type: 'promote', readonly id: NodeId }
  | { readonly type: 'demote', readonly id: NodeId }
  | { readonly type: 'remove', readonly id: NodeId }

/** The configuration with no members: a node that waits to be added. */
export const EMPTY_CONFIGURATION: Configuration = Object.freeze({ voters: [], nonVoters: [] })

/** True when `id` is a voter of `config`. */
export function isVoter (config: Configuration, id: NodeId): boolean {
  return config.voters.some(m => m.id === id)
}

/** True when `id` is a non-voter of `config`. */
export function isNonVoter (config: Configuration, id: NodeId): boolean {
  return config.nonVoters.some(m => m.id === id)
}

/** The ids of the voters. */
export function voterIds (config: Configuration): NodeId[] {
  return config.voters.map(m => m.id)
}

/** The ids of every member, voters first. */
export function memberIds (config: Configuration): NodeId[] {
  return [...config.voters, ...config.nonVoters].map(m => m.id)
}

/** The address of a member, or undefined when `id` is not a member. */
export function memberAddress (config: Configuration, id: NodeId): string | undefined {
  return [...config.voters, ...config.nonVoters].find(m => m.id === id)?.address
}

function sorted (members: readonly Member[]): Member[] {
  return [...members].sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

function findMember (config: Configuration, id: NodeId): Member | undefined {
  return [...config.voters, ...config.nonVoters].find(m => m.id === id)
}

/**
 * The configuration that results from applying `change` to `config`. A pure
 * function; throws `InvalidArgumentError` when the change does not apply
 * (adding a present member, promoting a voter, removing the last voter, ...).
 */
export function applyConfigChange (config: Configuration, change: ConfigChange): Configuration {
  if (typeof change.id !== 'string' || change.id === '') throw new InvalidArgumentError('a configuration change needs a non-empty node id')
  const existing = findMember(config, change.id)
  const without = (list: readonly Member[]): Member[] => list.filter(m => m.id !== change.id)
  switch (change.type) {
    case 'addVoter':
    case 'addNonVoter': {
      if (existing !== undefined) throw new InvalidArgumentError(`node ${change.id} is already a member; use promote or demote`)
      const member = { id: change.id, address: change.address }
      return change.type === 'addVoter'
        ? { voters: sorted([...config.voters, member]), nonVoters: config.nonVoters }
        : { voters: config.voters, nonVoters: sorted([...config.nonVoters, member]) }
    }
    case 'promote': {
      if (existing === undefined || !isNonVoter(config, change.id)) throw new InvalidArgumentError(`node ${change.id} is not a non-voter`)
      return { voters: sorted([...config.voters, existing]), nonVoters: without(config.nonVoters) }
    }
    case 'demote': {
      if (existing === undefined || !isVoter(config, change.id)) throw new InvalidArgumentError(`node ${change.id} is not a voter`)
      if (config.voters.length === 1) throw new InvalidArgumentError('cannot demote the last voter')
      return { voters: without(config.voters), nonVoters: sorted([...config.nonVoters, existing]) }
    }
    case 'remove': {
      if (existing === undefined) throw new InvalidArgumentError(`node ${change.id} is not a member`)
      if (isVoter(config, change.id) && config.voters.length === 1) throw new InvalidArgumentError('cannot remove the last voter')
      return { voters: without(config.voters), nonVoters: without(config.nonVoters) }
    }
    default:
      throw new InvalidArgumentError(`unknown configuration change ${(change as { type: string }).type}`)
  }
}
