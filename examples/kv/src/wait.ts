import type { KvClusterView } from './view.js'

/**
 * Resolves true once the node is Operational (at once if it is), or false
 * after `timeoutMs`. Requests wait here during a reshard or an election
 * instead of being served from a map that is about to change.
 */
export async function waitOperational (view: KvClusterView, timeoutMs: number): Promise<boolean> {
  if (view.state === 'Operational') return true
  return await new Promise<boolean>(resolve => {
    const done = (ok: boolean): void => {
      clearTimeout(timer)
      off()
      resolve(ok)
    }
    const timer = setTimeout(() => { done(false) }, timeoutMs)
    const off = view.onStateChange(state => { if (state === 'Operational') done(true) })
  })
}
