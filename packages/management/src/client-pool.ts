import { ManagementClient, type ManagementClientInit } from './client.js'

/** What every client of a `ClientPool` is made with (all but the address). */
export type ClientPoolInit = Omit<ManagementClientInit, 'address'> & {
  /** Clients kept at most; reaching it closes them all first (leaders change rarely). */
  maxClients: number
}

/**
 * Long-lived management clients, one per address (a node dialling its
 * leader: acks, forwarded calls). Reused for every call to that address.
 */
export class ClientPool {
  private readonly init: ClientPoolInit
  private readonly clients = new Map<string, ManagementClient>()

  constructor (init: ClientPoolInit) {
    this.init = init
  }

  /** The client for `address`, made on first use. @throws what `ManagementClient`'s constructor throws for a bad address */
  get (address: string): ManagementClient {
    let client = this.clients.get(address)
    if (client === undefined) {
      if (this.clients.size >= this.init.maxClients) this.close()
      const { maxClients: _max, ...init } = this.init
      client = new ManagementClient({ ...init, address })
      this.clients.set(address, client)
    }
    return client
  }

  /** Closes every client. */
  close (): void {
    for (const client of this.clients.values()) client.close()
    this.clients.clear()
  }
}
