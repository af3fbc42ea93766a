#!/usr/bin/env node
// The cluster demo: three kv nodes as processes on 127.0.0.1 with
// replication factor 2, requests routed to their shard's primary, one node
// killed with kill -9 (no acknowledged key lost) and restarted from its
// data dir. Every wait is bounded; on failure everything is killed
// and the demo exits 1. `--keep` leaves the cluster up until Ctrl-C.
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { DemoCluster } from './demo/cluster.js'
import { heading, readDurable, say, showFunkctl, showLoad, trail, writeDurable } from './demo/steps.js'

const keep = process.argv.slice(2).includes('--keep')
const root = mkdtempSync(path.join(os.tmpdir(), 'kv-demo-'))
const cluster = new DemoCluster(root)
let stopRequested: () => void = () => {}
const stopSignal = new Promise<void>(resolve => { stopRequested = resolve })
let keeping = false

// Ctrl-C mid-demo: kill everything at once; while keeping: stop gracefully.
const onSignal = (): void => {
  if (keeping) { keeping = false; stopRequested(); return }
  for (const n of cluster.started) n.kill9()
  rmSync(root, { recursive: true, force: true })
  process.exit(130)
}
process.on('SIGINT', onSignal)
process.on('SIGTERM', onSignal)

async function demo (): Promise<void> {
  heading('1. Three kv nodes, joined by address, bootstrapping together (--bootstrap-expect 3, zeroconf off, --replication-factor 2)')
  say(`data dirs under ${root}`)
  let t = performance.now()
  const nodes = await cluster.start(3, 20_000, ['--replication-factor', '2'])
  for (const n of nodes) say(`started ${n.id} (pid ${n.pid})  http ${n.http}  swim :${n.ports.swim}  mgmt ${n.mgmt}`)
  const ids = nodes.map(n => n.id)
  const first = await cluster.agreed({ ids, afterVersion: 0, since: t, timeoutMs: 30_000, what: 'all three nodes to be Operational on one map' })
  say(`all 3 Operational on shard map v${first.version} ${first.ms.toFixed(0)} ms after start; leader ${cluster.leader()?.id ?? '?'}`)

  heading('2. What funkctl shows')
  const n1 = cluster.get('n1')
  await showFunkctl(n1, 'status')
  say()
  await showFunkctl(n1, 'shards')
  say()
  await showFunkctl(n1, 'endpoints', 'kv')

  heading('3. Requests: key → shard → owner; a non-owner forwards one hop to the owner\'s ep.kv')
  await showLoad(nodes, ids, 600, 200)
  const durable = await writeDurable(nodes, 100)

  heading('4. kill -9 of a follower')
  const leader = cluster.leader()
  const victim = [...nodes].reverse().find(n => n !== leader)
  if (victim === undefined) throw new Error('no follower to kill')
  const survivors = nodes.filter(n => n !== victim)
  const before = cluster.version()
  t = performance.now()
  victim.kill9()
  say(`kill -9 ${victim.id} (pid ${victim.pid}), leader ${leader?.id ?? '?'}, map v${before}`)
  const recovered = await cluster.agreed({
    ids: survivors.map(n => n.id), afterVersion: before, since: t, timeoutMs: 20_000, what: `${survivors.map(n => n.id).join(' and ')} to be Operational on a map without ${victim.id}`
  })
  say(`recovery: Operational again after ${recovered.ms.toFixed(0)} ms with map v${recovered.version} (${survivors.map(n => n.id).join(', ')})`)
  for (const n of survivors) say(`  ${trail(n, t)}`)
  say()
  await showFunkctl(n1, 'shards')
  say()
  await readDurable(survivors, durable)
  await showLoad(survivors, survivors.map(n => n.id), 300, 100)

  heading(`5. Restart ${victim.id} with the same data dir`)
  t = performance.now()
  const back = await cluster.restart(victim.id, 20_000)
  say(`restarted ${back.id} (pid ${back.pid}) from ${path.join(root, back.id)}: same node id and ports`)
  const rejoined = await cluster.agreed({ ids, afterVersion: recovered.version, since: t, timeoutMs: 30_000, what: `${back.id} to be back in the map` })
  say(`restart: ${back.id} back in map v${rejoined.version} after ${rejoined.ms.toFixed(0)} ms`)
  say()
  await showFunkctl(n1, 'shards')
  say()
  await showLoad([...cluster.nodes.values()], ids, 300, 100)
}

async function keepRunning (): Promise<void> {
  heading('The cluster stays up (--keep)')
  const nodes = [...cluster.nodes.values()]
  const e = nodes[0]?.mgmt ?? ''
  say('Try (from the repository root):')
  for (const cmd of ['status', 'nodes', 'shards', 'endpoints --tree', 'watch']) say(`  node packages/ctl/dist/src/bin/funkctl.js --endpoint ${e} ${cmd}`)
  say(`  curl -X PUT --data hello ${nodes[0]?.http ?? ''}/kv/greeting`)
  for (const n of nodes) say(`  curl -i ${n.http}/kv/greeting      # via ${n.id}`)
  say(`  node examples/kv/dist/src/bin/kv-load.js ${nodes.map(n => `--endpoint ${n.http}`).join(' ')}`)
  say(`Stop it with Ctrl-C here (or kill -TERM ${process.pid}): every node stops and ${root} is removed.`)
  keeping = true
  await stopSignal
}

let code = 0
try {
  await demo()
  if (keep) await keepRunning()
} catch (err) {
  say(`\ndemo failed: ${(err as Error).message}`)
  for (const n of cluster.started.filter(p => p.exit === undefined && p.stderr !== '')) say(`  ${n.id} stderr: ${n.stderr.trim().split('\n').slice(-3).join(' | ')}`)
  code = 1
}
if (code === 0) {
  heading('6. Stop')
  for (const { node, clean } of await cluster.stop(10_000)) {
    say(`stopped ${node.id} (pid ${node.pid}): ${clean ? `exited on its own, code ${node.exit?.code ?? '?'}` : 'did not exit within 10 s, killed'}`)
    if (!clean || node.exit?.code !== 0) code = 1
  }
} else {
  await cluster.killAll()
  say('every node killed')
}
rmSync(root, { recursive: true, force: true })
say(code === 0 ? `removed ${root}; demo done` : `removed ${root}; demo FAILED`)
process.off('SIGINT', onSignal)
process.off('SIGTERM', onSignal)
process.exitCode = code
