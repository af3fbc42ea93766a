/**
 * The node side of `zeroconf-check.sh`. Runs inside a private network
 * namespace next to an avahi-daemon configured for `lo`, and checks our
 * Zeroconf against avahi: our records appear in avahi-browse with the right
 * names and TXT, our browser finds what avahi-publish publishes, stop()
 * sends goodbyes, and the process then exits on its own. Then two real
 * `Cluster` nodes auto-join each other through zeroconf alone.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createLogger } from '@clusterfunk/core'
import { SERVICE_TYPE, Zeroconf, createCluster, type ZeroconfPeer } from '../src/index.js'
import { CheckRun, must, poll, print, run } from './checks.js'

const CLUSTER = 'syscheck'
const AVAHI_HOST = process.env.AVAHI_HOST ?? 'cfcheck.local'
const checks = new CheckRun('[zeroconf]')
const children: ChildProcess[] = []

interface Resolved { instance: string, host: string, address: string, port: number, txt: Record<string, string> }

/** avahi-browse -p escapes some characters as \DDD (decimal). */
function unescape (text: string): string {
  return text.replace(/\\(\d{3})/g, (_m, d: string) => String.fromCharCode(Number(d)))
}

/** The resolved (`=`) lines of `avahi-browse -rtpk _clusterfunk._udp`. */
async function browseAvahi (): Promise<Resolved[]> {
  const out = await run('avahi-browse', ['-r', '-t', '-p', '-k', SERVICE_TYPE], 15_000)
  const found: Resolved[] = []
  for (const line of out.split('\n')) {
    const f = line.split(';')
    if (f[0] !== '=' || f.length < 10) continue
    const txt: Record<string, string> = {}
    for (const m of f.slice(9).join(';').matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
      const pair = unescape(m[1] ?? '')
      const eq = pair.indexOf('=')
      if (eq > 0) txt[pair.slice(0, eq)] = pair.slice(eq + 1)
    }
    found.push({ instance: unescape(f[3] ?? ''), host: f[6] ?? '', address: f[7] ?? '', port: Number(f[8]), txt })
  }
  return found
}

/** Starts `avahi-publish -s` for one record; it stays published until the process ends. */
function avahiPublish (instance: string, port: number, txt: Record<string, string>): ChildProcess {
  const pairs = Object.entries(txt).map(([k, v]) => `${k}=${v}`)
  const child = spawn('avahi-publish', ['-s', instance, SERVICE_TYPE, String(port), ...pairs], { stdio: 'ignore' })
  children.push(child)
  return child
}

async function end (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise(resolve => child.once('exit', resolve))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
  await exited
  clearTimeout(timer)
}

function expectTxt (r: Resolved, kind: string, port: number): void {
  const want = { v: '1', cluster: CLUSTER, node: 'node-a', kind, port: String(port), ports: 'mgmt:9090,swim:7946', proto: '2' }
  for (const [k, v] of Object.entries(want)) must(r.txt[k] === v, `${r.instance}: TXT ${k}=${String(r.txt[k])}, expected ${v}`)
}

async function main (): Promise<void> {
  const zeroconf = new Zeroconf({ logger: createLogger('zeroconf-check') }, {
    clusterName: CLUSTER,
    nodeId: 'node-a',
    records: { swim: 7946, mgmt: 9090 },
    protocolVersion: 2,
    host: 'node-a.local',
    addresses: ['127.0.0.1'],
    interface: '127.0.0.1',
    queryIntervalMs: 2_000
  })
  const lost: ZeroconfPeer[] = []
  zeroconf.addEventListener('peer:lost', e => { lost.push(e.detail) })

  if (!await checks.check('our Zeroconf starts on lo and announces its records', async () => {
    await zeroconf.start()
    return zeroconf.instances().join(', ')
  })) return

  await checks.check('avahi-browse -rtp lists our records with instance names, host, address, port and TXT', async () => {
    const ours = await poll('both records in avahi-browse', 30_000, 500, async () => {
      const seen = (await browseAvahi()).filter(r => r.instance.endsWith('_node-a'))
      return seen.length >= 2 ? seen : undefined
    })
    const swim = ours.find(r => r.instance === `${CLUSTER}_swim_node-a`)
    const mgmt = ours.find(r => r.instance === `${CLUSTER}_mgmt_node-a`)
    must(swim !== undefined && mgmt !== undefined, `instances seen: ${ours.map(r => r.instance).join(', ')}`)
    for (const [r, kind, port] of [[swim, 'swim', 7946], [mgmt, 'mgmt', 9090]] as const) {
      if (r === undefined) continue
      must(r.port === port, `${r.instance}: port ${r.port}, expected ${port}`)
      must(r.host === 'node-a.local', `${r.instance}: host ${r.host}`)
      must(r.address === '127.0.0.1', `${r.instance}: address ${r.address}`)
      expectTxt(r, kind, port)
    }
    return ours.map(r => `${r.instance} → ${r.host} ${r.address}:${r.port}`).join(', ')
  })

  const peer = avahiPublish(`${CLUSTER}_raft_node-z`, 7000, { v: '1', cluster: CLUSTER, node: 'node-z', kind: 'raft', port: '7000', ports: 'raft:7000', proto: '2' })
  avahiPublish('other_swim_node-q', 7001, { v: '1', cluster: 'other', node: 'node-q', kind: 'swim', port: '7001', ports: 'swim:7001', proto: '2' })
  avahiPublish(`${CLUSTER}_swim_node-m`, 7002, { v: '1', cluster: CLUSTER, node: 'node-m', kind: 'swim', port: 'oops' })

  await checks.check('our browser finds the record avahi-publish -s published, with its TXT and address', async () => {
    const found = await poll('node-z in peers()', 30_000, 100, async () => zeroconf.peers().find(p => p.nodeId === 'node-z'))
    must(found.instance === `${CLUSTER}_raft_node-z` && found.kind === 'raft' && found.port === 7000, `peer ${JSON.stringify(found)}`)
    must(found.protocolVersion === 2 && found.ports.raft === 7000, `TXT read as ${JSON.stringify(found.txt)}`)
    must(found.host === AVAHI_HOST && found.addresses.includes('127.0.0.1'), `host ${found.host} addresses ${found.addresses.join(',')}`)
    return `${found.instance} → ${found.host} ${found.addresses.join(',')}:${found.port}`
  })

  await checks.check('records of another cluster and malformed records are ignored and counted', async () => {
    await poll('foreign and malformed counted', 30_000, 100, async () => {
      const s = zeroconf.stats()
      return s.ignored.foreign >= 1 && s.ignored.malformed >= 1 ? s : undefined
    })
    must(zeroconf.peers().every(p => p.nodeId === 'node-z'), `peers: ${zeroconf.peers().map(p => p.instance).join(', ')}`)
    return JSON.stringify(zeroconf.stats().ignored)
  })

  await checks.check('discover() browses ~1 s and returns the avahi-published peer', async () => {
    const started = performance.now()
    const peers = await zeroconf.discover()
    const ms = Math.round(performance.now() - started)
    must(peers.some(p => p.nodeId === 'node-z'), `discover() returned ${peers.map(p => p.instance).join(', ')}`)
    must(ms >= 900 && ms < 3_000, `took ${ms} ms`)
    return `${ms} ms`
  })

  await checks.check('our browser reports peer:lost when avahi withdraws that record', async () => {
    await end(peer)
    await poll('peer:lost for node-z', 15_000, 100, async () => lost.find(p => p.nodeId === 'node-z'))
    must(zeroconf.peers().length === 0, `still known: ${zeroconf.peers().map(p => p.instance).join(', ')}`)
    return undefined
  })

  await checks.check('stop() closes the mDNS socket', async () => {
    await zeroconf.stop()
    await poll('no UDP handle left', 5_000, 50, async () => process.getActiveResourcesInfo().includes('UDPWrap') ? undefined : true)
    return undefined
  })

  await checks.check('avahi drops our records right after stop() (goodbye packets; their TTLs are ≥ 120 s)', async () => {
    const started = performance.now()
    await poll('our records gone from avahi-browse', 15_000, 500, async () => {
      const left = (await browseAvahi()).filter(r => r.instance.endsWith('_node-a'))
      return left.length === 0 ? true : undefined
    })
    return `gone after ${Math.round(performance.now() - started)} ms`
  })

  await autoJoin()
}

/**
 * Two real `Cluster` nodes with zeroconf on and no join address find each
 * other over mDNS on lo, bootstrap together (bootstrapExpect 2) and commit
 * one shard map; avahi sees their records meanwhile.
 */
async function autoJoin (): Promise<void> {
  const dirs = ['a', 'b'].map(id => mkdtempSync(path.join(tmpdir(), `clusterfunk-zc-${id}-`)))
  const nodes = ['zc-a', 'zc-b'].map((nodeId, i) => createCluster({
    name: 'autojoin', nodeId, dataDir: dirs[i] as string, zeroconf: true, bootstrapExpect: 2, swimPort: 0, swimPreset: 'local', shards: 256
  }))
  try {
    await checks.check('two Cluster nodes with zeroconf on and no join address find each other and commit one shard map', async () => {
      await Promise.all(nodes.map(async n => { await n.start() }))
      const version = await poll('both Operational on one map', 30_000, 100, async () => {
        const v = nodes[0]?.shards.version ?? 0
        return v > 0 && nodes.every(n => n.state === 'Operational' && n.shards.version === v && n.shards.map?.nodes().length === 2) ? v : undefined
      })
      return `map version ${version}, leader ${String(nodes[0]?.leader())}`
    })
    await checks.check('avahi-browse lists both nodes\' swim and mgmt records', async () => {
      const found = await poll('four autojoin records', 15_000, 500, async () => {
        const ours = (await browseAvahi()).filter(r => r.instance.startsWith('autojoin_'))
        return new Set(ours.map(r => r.instance)).size >= 4 ? ours : undefined
      })
      return [...new Set(found.map(r => r.instance))].sort().join(', ')
    })
  } finally {
    await Promise.all(nodes.map(async n => { await n.stop() }))
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  }
}

try {
  await main()
} catch (err) {
  await checks.check('the check program runs to its end', () => { throw err })
} finally {
  for (const child of children) await end(child)
  print(checks.summary())
  process.exitCode = checks.ok ? 0 : 1
}
