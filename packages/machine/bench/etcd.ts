/**
 * A 3-member etcd (Debian's etcd-server) on 127.0.0.1 with its data in a
 * directory, and a gRPC client of its KV and Maintenance services (the few
 * messages the benchmark needs, described inline: field numbers as in etcd's
 * rpc.proto).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import * as grpc from '@grpc/grpc-js'
import { fromJSON } from '@grpc/proto-loader'
import path from 'node:path'

const header = { fields: { cluster_id: { type: 'uint64', id: 1 }, member_id: { type: 'uint64', id: 2 }, revision: { type: 'int64', id: 3 }, raft_term: { type: 'uint64', id: 4 } } }
const ETCD_RPC: Parameters<typeof fromJSON>[0] = {
  nested: {
    etcdserverpb: {
      nested: {
        ResponseHeader: header,
        PutRequest: { fields: { key: { type: 'bytes', id: 1 }, value: { type: 'bytes', id: 2 } } },
        PutResponse: { fields: { header: { type: 'ResponseHeader', id: 1 } } },
        RangeRequest: { fields: { key: { type: 'bytes', id: 1 }, serializable: { type: 'bool', id: 7 } } },
        RangeResponse: { fields: { header: { type: 'ResponseHeader', id: 1 }, count: { type: 'int64', id: 4 } } },
        StatusRequest: { fields: {} },
        StatusResponse: { fields: { header: { type: 'ResponseHeader', id: 1 }, version: { type: 'string', id: 2 }, leader: { type: 'uint64', id: 4 } } },
        KV: {
          methods: {
            Range: { requestType: 'RangeRequest', responseType: 'RangeResponse', comment: '' },
            Put: { requestType: 'PutRequest', responseType: 'PutResponse', comment: '' }
          }
        },
        Maintenance: { methods: { Status: { requestType: 'StatusRequest', responseType: 'StatusResponse', comment: '' } } }
      }
    }
  }
}

type Unary<Req, Res> = (req: Req, options: { deadline: number }, cb: (err: grpc.ServiceError | null, res?: Res) => void) => void
interface KvStub extends grpc.Client {
  Put: Unary<{ key: Buffer, value: Buffer }, unknown>
  Range: Unary<{ key: Buffer, serializable: boolean }, unknown>
}
interface MaintenanceStub extends grpc.Client {
  Status: Unary<Record<string, never>, { header: { member_id: string }, leader: string }>
}

const pkg = grpc.loadPackageDefinition(fromJSON(ETCD_RPC, { longs: String, defaults: true })) as unknown as {
  etcdserverpb: { KV: new (address: string, creds: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => KvStub, Maintenance: new (address: string, creds: grpc.ChannelCredentials) => MaintenanceStub }
}

async function unary<Req, Res> (fn: Unary<Req, Res>, self: grpc.Client, req: Req, timeoutMs: number): Promise<Res> {
  return await new Promise((resolve, reject) => {
    fn.call(self, req, { deadline: Date.now() + timeoutMs }, (err, res) => {
      if (err !== null) reject(err)
      else resolve(res as Res)
    })
  })
}

/** `conns` gRPC channels to one etcd member; calls are spread over them. */
export class EtcdClient {
  private readonly stubs: KvStub[] = []
  private next = 0

  constructor (readonly address: string, conns = 1) {
    // A distinct option per channel keeps grpc-js from sharing one subchannel among them.
    for (let i = 0; i < conns; i++) this.stubs.push(new pkg.etcdserverpb.KV(address, grpc.credentials.createInsecure(), { 'grpc.channel_id': i } as grpc.ChannelOptions))
  }

  private stub (): KvStub {
    const s = this.stubs[this.next] as KvStub
    this.next = (this.next + 1) % this.stubs.length
    return s
  }

  async put (key: Buffer, value: Buffer, timeoutMs = 10_000): Promise<void> {
    const s = this.stub()
    await unary(s.Put, s, { key, value }, timeoutMs)
  }

  /** A linearizable read (serializable false: a ReadIndex round on the leader). */
  async get (key: Buffer, timeoutMs = 10_000): Promise<void> {
    const s = this.stub()
    await unary(s.Range, s, { key, serializable: false }, timeoutMs)
  }

  close (): void {
    for (const s of this.stubs) s.close()
  }
}

/** Whether the member at `address` says it is the leader (Maintenance.Status). */
export async function etcdIsLeader (address: string, timeoutMs = 2000): Promise<boolean> {
  const m = new pkg.etcdserverpb.Maintenance(address, grpc.credentials.createInsecure())
  try {
    const s = await unary(m.Status, m, {}, timeoutMs)
    return s.leader !== '0' && s.leader === s.header.member_id
  } finally {
    m.close()
  }
}

export interface EtcdPorts { client: number, peer: number }

/** One etcd member as a process. */
export class EtcdMember {
  private child: ChildProcess | undefined
  private exited: Promise<void> = Promise.resolve()
  stderr = ''

  constructor (readonly name: string, readonly ports: EtcdPorts, private readonly cluster: string, private readonly dir: string) {}

  get address (): string { return `127.0.0.1:${this.ports.client}` }

  start (state: 'new' | 'existing'): void {
    const client = `http://127.0.0.1:${this.ports.client}`
    const peer = `http://127.0.0.1:${this.ports.peer}`
    const child = spawn('etcd', [
      '--name', this.name, '--data-dir', path.join(this.dir, this.name),
      '--listen-client-urls', client, '--advertise-client-urls', client,
      '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
      '--initial-cluster', this.cluster, '--initial-cluster-state', state, '--initial-cluster-token', 'machine-bench',
      '--logger', 'zap', '--log-level', 'error'
    ], { stdio: ['ignore', 'ignore', 'pipe'] })
    child.stderr?.on('data', (d: Buffer) => { this.stderr = (this.stderr + d.toString()).slice(-8000) })
    this.child = child
    this.exited = new Promise(resolve => { child.once('exit', () => { resolve() }) })
  }

  get running (): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
  }

  /** kill -9. */
  async kill (): Promise<void> {
    if (this.running) this.child?.kill('SIGKILL')
    await this.exited
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop (graceMs = 5000): Promise<void> {
    if (!this.running) return
    this.child?.kill('SIGTERM')
    const timer = setTimeout(() => { this.child?.kill('SIGKILL') }, graceMs)
    await this.exited
    clearTimeout(timer)
  }
}

/** Three etcd members on the given ports (client and peer each), data under `dir`. */
export function etcdCluster (ports: readonly number[], dir: string): EtcdMember[] {
  const members = [0, 1, 2].map(i => ({ name: `etcd${i + 1}`, ports: { client: ports[2 * i] as number, peer: ports[2 * i + 1] as number } }))
  const cluster = members.map(m => `${m.name}=http://127.0.0.1:${m.ports.peer}`).join(',')
  return members.map(m => new EtcdMember(m.name, m.ports, cluster, dir))
}
