import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { ManagementClient, type StatusReply } from '@clusterfunk/cluster'
import { waitFor } from '@clusterfunk/core'
import { freePorts } from '@clusterfunk/core/testing'
import { KvProcess, type NodePorts } from '@clusterfunk/example-kv'
import { makeClusterCert, type ClusterCert } from './certs.js'
import type { ClusterKind } from './options.js'

/** The secrets of a secured cluster: what the suite knows as its operator, and an attacker does not. */
export interface ClusterSecrets {
  token: string
  gossipKey: string
  cert: ClusterCert
}

/** One kv-server process under attack. */
export interface FuzzNode {
  id: string
  process: KvProcess
  ports: Required<NodePorts>
  client: ManagementClient
}

/**
 * A cluster of `kv-server` processes on 127.0.0.1 (the same program and
 * flags as the demo, plus metrics and, when secured, token + gossip key +
 * TLS), with one management client per node.
 */
export class FuzzCluster {
  readonly nodes: FuzzNode[] = []
  secrets: ClusterSecrets | undefined

  private constructor (readonly kind: ClusterKind, readonly root: string) {}

  static async start (kind: ClusterKind, count: number, timeoutMs: number): Promise<FuzzCluster> {
    const c = new FuzzCluster(kind, await mkdtemp(path.join(os.tmpdir(), `fuzz-${kind}-`)))
    try {
      await c.launch(count, timeoutMs)
    } catch (err) {
      await c.stop()
      throw err
    }
    return c
  }

  get secured (): boolean { return this.secrets !== undefined }

  private async launch (count: number, timeoutMs: number): Promise<void> {
    let extra: string[] = []
    if (this.kind === 'secured') {
      const cert = await makeClusterCert(this.root)
      this.secrets = { token: randomBytes(18).toString('base64url'), gossipKey: randomBytes(32).toString('base64'), cert }
      extra = ['--token', this.secrets.token, '--gossip-key', this.secrets.gossipKey, '--tls-cert', cert.certFile, '--tls-key', cert.keyFile]
    }
    const ports = await freePorts(6 * count)
    const plan = Array.from({ length: count }, (_, i) => {
      const [http, swim, raft, liveness, mgmt, metrics] = ports.slice(6 * i, 6 * i + 6) as [number, number, number, number, number, number]
      return { id: `n${i + 1}`, ports: { http, swim, raft, liveness, mgmt, metrics } }
    })
    for (const p of plan) {
      const join = plan.filter(o => o !== p).map(o => `127.0.0.1:${o.ports.swim}`)
      const process = new KvProcess(p.id, p.ports, path.join(this.root, p.id), join, count, extra)
      this.nodes.push({ id: p.id, process, ports: p.ports, client: this.client(p.ports.mgmt) })
    }
    await Promise.all(this.nodes.map(async n => { await n.process.whenReady(timeoutMs) }))
    await this.waitOperational(timeoutMs)
  }

  /** A management client with the cluster's credentials (token, CA; dialled by name so TLS gets no IP server name). */
  client (port: number, withToken = true): ManagementClient {
    const s = this.secrets
    if (s === undefined) return new ManagementClient({ address: `127.0.0.1:${port}`, timeoutMs: 2_000 })
    return new ManagementClient({
      address: `127.0.0.1:${port}`,
      timeoutMs: 2_000,
      ...(withToken ? { token: s.token } : {}),
      tls: { ca: s.cert.cert, serverName: 'localhost' }
    })
  }

  /** Each live node's status, or undefined where the call failed. */
  async statuses (): Promise<Array<StatusReply | undefined>> {
    return await Promise.all(this.nodes.map(async n => {
      if (n.process.exit !== undefined) return undefined
      try { return await n.client.status({ timeoutMs: 1_500 }) } catch { return undefined }
    }))
  }

  /** True when every node answers Operational and they agree on the leader. */
  async operational (): Promise<boolean> {
    return (await this.notOperational()) === undefined
  }

  /** Why the cluster is not Operational (each node's answer), or undefined when it is. */
  async notOperational (): Promise<string | undefined> {
    const s = await this.statuses()
    if (s.every(x => x?.state === 'Operational') && new Set(s.map(x => x?.leaderId)).size === 1) return undefined
    return this.nodes.map((n, i) => {
      const x = s[i]
      if (n.process.exit !== undefined) return `${n.id} exited`
      return x === undefined ? `${n.id} no answer` : `${n.id} ${x.state} leader ${x.leaderId ?? '-'}`
    }).join(', ')
  }

  async waitOperational (timeoutMs: number): Promise<void> {
    await waitFor(async () => {
      for (const n of this.nodes) {
        const dead = n.process.failIfExited()
        if (dead !== undefined) return await dead
      }
      return await this.operational()
    }, { timeoutMs, intervalMs: 250, what: `the ${this.kind} cluster to be Operational` })
  }

  /** One line of what each node reports (state, role, leader, Raft and SWIM member counts), for a finding. */
  async describe (): Promise<string> {
    const s = await this.statuses()
    return this.nodes.map((n, i) => {
      const x = s[i]
      if (n.process.exit !== undefined) return `${n.id} exited`
      if (x === undefined) return `${n.id} no answer`
      return `${n.id} ${x.state} ${x.role} leader ${x.leaderId ?? '-'} raft ${x.raftMembers} swim ${x.swimMembers}`
    }).join('; ')
  }

  /** The node every node names as leader, if they agree. */
  async leader (): Promise<FuzzNode | undefined> {
    const s = await this.statuses()
    const ids = new Set(s.map(x => x?.leaderId))
    const id = ids.size === 1 ? [...ids][0] : undefined
    return this.nodes.find(n => n.id === id)
  }

  crashed (): FuzzNode[] {
    return this.nodes.filter(n => n.process.exit !== undefined && !n.process.stopped)
  }

  async stop (): Promise<void> {
    for (const n of this.nodes) n.client.close()
    await Promise.all(this.nodes.map(async n => { await n.process.terminate(10_000) }))
    await rm(this.root, { recursive: true, force: true })
  }
}
