import { joinHostPort } from '@clusterfunk/management'
import { MAX_WEIGHT } from '@clusterfunk/sharding'
import type { ClusterParts } from './parts.js'

/** Tag names of the endpoints every node publishes. */
export const TAG_SWIM = 'ep.swim'
export const TAG_RAFT = 'ep.raft'
export const TAG_LIVENESS = 'ep.liveness'
export const TAG_MANAGEMENT = 'ep.clusterfunk.management'
/** Set to `1` once a node holds Raft state: safe bootstrap then knows a cluster exists. */
export const TAG_RAFT_MEMBER = 'raft.member'
/** A node's weight in the shard map, when not 1: an integer 1..1 000 000 in decimal. */
export const TAG_SHARD_WEIGHT = 'shard.weight'

/** The weight a `shard.weight` tag says: 1 when absent or not an integer 1..1 000 000 (a malformed tag must not stop the map). */
export function parseShardWeight (tag: string | undefined): number {
  if (tag === undefined || !/^[1-9][0-9]{0,6}$/.test(tag)) return 1
  const w = Number(tag)
  return w <= MAX_WEIGHT ? w : 1
}

/** Endpoint names (without `ep.`) the cluster publishes itself. */
export const OWN_ENDPOINTS: readonly string[] = [TAG_SWIM, TAG_RAFT, TAG_LIVENESS, TAG_MANAGEMENT].map(tag => tag.slice('ep.'.length))

/** Endpoint names a node's application publishes; and the node's tags, its own endpoints included. */
export class LocalEndpoints {
  private readonly byName = new Map<string, string>()
  /** This node's shard weight, published as `shard.weight` when not 1. */
  weight = 1
  /** Member info as tags (`info.<key>`), published with the endpoints. */
  private info: () => Record<string, string> = () => ({})

  /** Where the node's member info tags come from. */
  setInfoSource (info: () => Record<string, string>): void {
    this.info = info
  }

  /** Sets endpoint `name` (without `ep.`). */
  set (name: string, url: string): void {
    this.byName.set(name, url)
  }

  /** The SWIM tags of a node: the application's endpoints, then (once started) its own and whether it holds Raft state. */
  tags (parts: ClusterParts | undefined, raftMember: boolean): Record<string, string> {
    const tags: Record<string, string> = { ...this.info() }
    for (const [name, url] of this.byName) tags[`ep.${name}`] = url
    if (parts === undefined) return tags
    tags[TAG_SWIM] = parts.swim.address()
    tags[TAG_RAFT] = parts.transport.address
    tags[TAG_LIVENESS] = joinHostPort(parts.endpoint.address().host, parts.endpoint.address().port)
    tags[TAG_MANAGEMENT] = parts.management.endpoint()
    if (raftMember) tags[TAG_RAFT_MEMBER] = '1'
    if (this.weight !== 1) tags[TAG_SHARD_WEIGHT] = String(this.weight)
    return tags
  }
}
