import type { Logger, TypedEventEmitter } from '@clusterfunk/core'
import type { ClusterEvents } from './types.js'

/**
 * Writes a node's lifecycle to its logger at info: every state and role
 * change, the leader it learns, and safe bootstrap's wait (how many of the
 * expected nodes are seen, and which). Listens for the emitter's lifetime.
 */
export function logLifecycle (emitter: TypedEventEmitter<ClusterEvents>, logger: Logger): void {
  emitter.addEventListener('state:change', e => { logger.info(`state ${e.detail.previous} -> ${e.detail.state}`, { ...e.detail }) })
  emitter.addEventListener('role:change', e => { logger.info(`role ${e.detail.previous} -> ${e.detail.role}`, { ...e.detail }) })
  emitter.addEventListener('leader:change', e => {
    logger.info(e.detail.leaderId === undefined ? 'no leader known' : `leader is ${e.detail.leaderId}`, { leaderId: e.detail.leaderId })
  })
  emitter.addEventListener('bootstrap:waiting', e => {
    const { expect, seen } = e.detail
    const msg = seen.length >= expect
      ? `bootstrap: ${seen.length} of ${expect} expected nodes seen (${seen.join(', ')}); waiting for ${seen[0] ?? '?'} to bootstrap`
      : `bootstrap: waiting for ${expect - seen.length} more node(s): ${seen.length} of ${expect} expected seen (${seen.join(', ')})`
    logger.info(msg, { expect, seen })
  })
}
