import type { KvClusterView } from '../src/view.js'

/**
 * A node's view with an injected map: `owners` maps a key to its owner,
 * `endpoints` a node to its kv URL; the state is set by the test.
 */
export class FakeView implements KvClusterView {
  state = 'Operational'
  readonly owners = new Map<string, string>()
  readonly endpoints = new Map<string, string>()
  readonly listeners = new Set<(state: string) => void>()
  endpointsTrusted = true
  mapVersion = 1

  constructor (readonly nodeId: string) {}

  /** Shard = the key's length, so tests can predict it. */
  shardFor (key: string): number { return key.length }
  ownerOf (shard: number): string | undefined {
    for (const [key, owner] of this.owners) if (key.length === shard) return owner
    return undefined
  }

  committedMap (): { version: number, bytes: Uint8Array } | undefined {
    return { version: this.mapVersion, bytes: new TextEncoder().encode(JSON.stringify([...this.owners])) }
  }

  kvEndpoint (nodeId: string): string | undefined { return this.endpoints.get(nodeId) }
  /** Replicas by shard, set by the test (none by default). */
  readonly replicas = new Map<number, string[]>()
  replicasOf (shard: number): string[] { return this.replicas.get(shard) ?? [] }
  mapNodes (): string[] { return [...new Set([this.nodeId, ...this.owners.values(), ...[...this.replicas.values()].flat()])] }

  onStateChange (listener: (state: string) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  setState (state: string): void {
    this.state = state
    for (const l of [...this.listeners]) l(state)
  }
}
