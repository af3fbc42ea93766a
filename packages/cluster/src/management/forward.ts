import type { NotLeaderError } from '@clusterfunk/core'
import { ManagementClient, type ManagementClientTls } from './client.js'
import { UnavailableError } from './errors.js'

/** How a follower dials the leader. */
export interface ForwardInit {
  token?: string | undefined
  tls?: ManagementClientTls | undefined
  timeoutMs: number
  /** Send the token without TLS to a non-loopback leader. */
  allowInsecureToken: boolean
}

const MAX_CLIENTS = 8

/**
 * The clients a follower forwards leader-only calls with, one per leader
 * address (a few at most: leaders change rarely). Forwarded calls are
 * marked so the receiver never forwards them again.
 */
export class ForwardPool {
  private readonly clients = new Map<string, ManagementClient>()
  private readonly init: ForwardInit

  constructor (init: ForwardInit) {
    this.init = init
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
      client = this.client(address)
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
    for (const client of this.clients.values()) client.close()
    this.clients.clear()
  }

  private client (address: string): ManagementClient {
    let client = this.clients.get(address)
    if (client === undefined) {
      if (this.clients.size >= MAX_CLIENTS) this.close()
      client = new ManagementClient({
        address,
        ...(this.init.token === undefined ? {} : { token: this.init.token }),
        ...(this.init.tls === undefined ? {} : { tls: this.init.tls }),
        timeoutMs: this.init.timeoutMs,
        allowInsecureToken: this.init.allowInsecureToken,
        forwarded: true
      })
      this.clients.set(address, client)
    }
    return client
  }
}
