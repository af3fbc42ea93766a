import type { Clock, Logger, TypedEventEmitter } from '@clusterfunk/core'
import { MANAGEMENT_ENDPOINT } from '@clusterfunk/management'
import { lanConfig } from '@clusterfunk/swim'
import { hasRaftState } from '../cluster/gather.js'
import type { ResolvedClusterInit } from '../cluster/options.js'
import type { ClusterParts } from '../cluster/parts.js'
import { managementClientTls } from '../cluster/security.js'
import type { LocalEndpoints } from '../cluster/tags.js'
import type { ClusterEvents } from '../cluster/types.js'
import { MESSAGING_DEFAULTS } from './messaging-constants.js'
import type { MessagingInit } from './messaging.js'

/** What the facade hands its messaging. */
export interface MessagingDeps {
  clock: Clock
  logger: Logger
  emitter: TypedEventEmitter<ClusterEvents>
  endpoints: LocalEndpoints
  nodeId: () => string
  parts: () => ClusterParts | undefined
}

/** The messaging of a node, wired to its options and parts: the tag set it publishes info in, and the management endpoints it sends requests to. */
export function messagingInit (o: ResolvedClusterInit, d: MessagingDeps): MessagingInit {
  const prefix = MESSAGING_DEFAULTS.infoTagPrefix
  const running = (): ClusterParts | undefined => { const p = d.parts(); return p !== undefined && p.swim.status === 'started' ? p : undefined }
  const init: MessagingInit = {
    clock: d.clock,
    logger: d.logger,
    emitter: d.emitter,
    nodeId: d.nodeId,
    token: o.token,
    tls: o.tls === undefined ? undefined : managementClientTls(o.tls),
    endpointOf: (id) => {
      const m = running()?.swim.member(id)
      return m === undefined || m.status === 'dead' || m.status === 'left' ? undefined : m.tags.get(`ep.${MANAGEMENT_ENDPOINT}`)
    },
    maxTagsBytes: () => d.parts()?.swim.config.maxTagsBytes ?? lanConfig.maxTagsBytes,
    baseTags: () => {
      const p = running()
      const tags = d.endpoints.tags(p, p === undefined ? false : hasRaftState(p))
      return Object.fromEntries(Object.entries(tags).filter(([k]) => !k.startsWith(prefix)))
    },
    publish: () => {
      const p = running()
      if (p !== undefined) p.swim.setTags(d.endpoints.tags(p, hasRaftState(p)))
    }
  }
  return init
}
