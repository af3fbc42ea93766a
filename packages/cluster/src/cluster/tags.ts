import { joinHostPort } from '@clusterfunk/management'
import type { ClusterParts } from './parts.js'

/** Tag names of the endpoints every node publishes. */
export const TAG_SWIM = 'ep.swim'
export const TAG_RAFT = 'ep.raft'
export const TAG_LIVENESS = 'ep.liveness'
export const TAG_MANAGEMENT = 'ep.clusterfunk.management'
/** Set to `1` once a node holds Raft state: safe bootstrap then knows a cluster exists. */
export const TAG_RAFT_MEMBER = 'raft.member'

/** Endpoint names (without `ep.`) the cluster publishes itself. */
export const OWN_ENDPOINTS: readonly string[] = [TAG_SWIM, TAG_RAFT, TAG_LIVENESS, TAG_MANAGEMENT].map(tag => tag.slice('ep.'.length))

/** Endpoint names a node's application publishes; and the node's tags, its own endpoints included. */
export class LocalEndpoints {
  private readonly byName = new Map<string, string>()
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
    return tags
  }
}
