// A stranger's app: installed from the registry by name, type-checked strict
// with NodeNext, it starts a one-node cluster on 127.0.0.1 and waits for
// Operational, then stops it and exits.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createCluster, type ClusterState } from '@clusterfunk/cluster'

const dataDir = mkdtempSync(path.join(tmpdir(), 'registry-app-'))
const cluster = createCluster({ name: 'stranger', dataDir, bootstrapExpect: 1, host: '127.0.0.1', zeroconf: false, shards: 64 })
const operational = new Promise<ClusterState>((resolve, reject) => {
  const timer = setTimeout(() => { reject(new Error(`not Operational after 30 s (state ${cluster.state})`)) }, 30_000)
  cluster.addEventListener('state:change', e => {
    if (e.detail.state === 'Operational') { clearTimeout(timer); resolve(e.detail.state) }
  })
})
await cluster.start()
console.log(`state ${await operational}, node ${cluster.nodeId}, shard map version ${cluster.shards.version} on ${cluster.shards.map?.nodes().length ?? 0} node(s)`)
await cluster.stop()
rmSync(dataDir, { recursive: true, force: true })
