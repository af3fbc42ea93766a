import type { NotLeaderError } from '@clusterfunk/core'
import type { ManagementClient, ManagementClientTls } from './client.js'
import { ClientPool } from './client-pool.js'
import { MANAGEMENT_DEFAULTS } from './constants.js'
import { UnavailableError } from './errors.js'

/** How a follower dials the leader. */
export interface ForwardInit {
  /** Proves the cluster token on each forwarded call (`peerProofKey`); the token itself is never sent, as the leader's address comes from gossip. */
  proofKey?: Buffer | undefined
  tls?: ManagementClientTls | undefined
  timeoutMs: number
}


/**
 * The clients a follower forwards leader-only calls with, one per leader
 * address (a few at most: leaders change rarely). Forwarded calls are
 * marked so the receiver never forwards them again.
 */
export class ForwardPool {
  private readonly pool: ClientPool

  constructor (init: ForwardInit) {
    this.pool = new ClientPool({
      ...(init.proofKey === undefined ? {} : { proofKey: init.proofKey }),
      ...(init.tls === undefined ? {} : { tls: init.tls }),
      timeoutMs: init.timeoutMs,
      forwarded: true,
      maxClients: MANAGEMENT_DEFAULTS.forwardClients
    })
  }

  /**
   * Runs `call` against the leader named in `notLeader`. When the leader
   * cannot be reached the caller gets `notLeader` itself, so it still
   * learns who leads.
   */
  async call<T> (notLeader: NotLeaderError, call: (client: ManagementClient) => Promise<T>): Promise<T> {
    const address = notLeader.leaderAddress
    if (address === undefined) throw notLeader
    let client: ManagementClient
    try {
      client = this.pool.get(address)
    } catch {
      throw notLeader
    }
    try {
      return await call(client)
    } catch (err) {
      if (err instanceof UnavailableError) throw notLeader
      throw err
    }
  }

  /** Closes every client. */
  close (): void {
    this.pool.close()
  }
}
