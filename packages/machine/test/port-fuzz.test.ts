import { expect } from 'chai'
import net from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import { silentLogger } from '@clusterfunk/core'
import { freePorts } from '@clusterfunk/core/testing'
import { MachineNode, RespReader, encodeCommand } from '../src/index.js'
import { ticketMachine } from './helpers/ticket.js'

/** Frames sent in all; MACHINE_FUZZ_FRAMES changes it, MACHINE_FUZZ_SEED replays a run. */
const FRAMES = Number(process.env.MACHINE_FUZZ_FRAMES ?? 100_000)
const SEED = Number(process.env.MACHINE_FUZZ_SEED ?? Date.now() % 1_000_000)
const MAX_PENDING = 256 * 1024

/** One hostile or odd frame. */
function badFrame (int: (a: number, b: number) => number): Buffer {
  const randomBytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(0, 255)))
  switch (int(0, 9)) {
    case 0: return randomBytes(int(1, 64))
    case 1: { const f = encodeCommand(['SET', 'k', 'v'.repeat(int(0, 100))]); return f.subarray(0, int(0, f.length - 1)) }
    case 2: return Buffer.from(`*1\r\n$${int(0, 1) === 0 ? '99999999999999' : String(2 ** 31 + int(0, 1000))}\r\n`)
    case 3: return Buffer.from('*1\r\n'.repeat(int(2, 200)) + ':1\r\n')
    case 4: return Buffer.from(`*${int(0, 1) === 0 ? '-5' : '4294967296'}\r\n`)
    case 5: return Buffer.from(`*2\r\n$3\r\nGET\r\n${String.fromCharCode(int(33, 126))}${int(0, 100)}\r\n`)
    case 6: return Buffer.from(`ECHO "unbalanced ${int(0, 1000)}\r\n`)
    case 7: return Buffer.from(`*1\r\n$4\r\nPING${int(0, 1) === 0 ? 'XX' : ''}\r\n`)
    case 8: return encodeCommand(['ECHO', randomBytes(int(0, 32)).toString('latin1')])
    default: return Buffer.from(`${randomBytes(int(1, 16)).toString('latin1').replace(/[\r\n]/g, ' ')}\r\n`)
  }
}

/** Sends `bytes`, half-closes, and collects what the node answers until it closes. */
async function exchange (port: number, bytes: Buffer): Promise<Buffer> {
  return await new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1')
    const parts: Buffer[] = []
    const timer = setTimeout(() => { s.destroy(); reject(new Error('the node did not close or answer within 20 s')) }, 20_000)
    s.on('data', d => parts.push(d))
    s.on('error', () => {})
    s.on('close', () => { clearTimeout(timer); resolve(Buffer.concat(parts)) })
    s.write(bytes, () => { s.end() })
  })
}

describe('port fuzz: random, truncated and oversized frames to the client port', function () {
  this.timeout(300_000)
  let dir: string
  let node: MachineNode<{ ticket: number, draws: number[] }, { user?: string }>
  let port: number

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'machine-fuzz-'))
    const [p, r] = await freePorts(2) as [number, number]
    port = p
    node = new MachineNode(ticketMachine, { nodeId: 'f', address: `127.0.0.1:${p}`, raftPort: r, dataDir: dir, preset: 'fast', respLimits: { maxPendingBytes: MAX_PENDING } }, { logger: silentLogger() })
    await node.start()
    for (let i = 0; i < 500 && node.leaderClientAddress() === undefined; i++) await new Promise(resolve => setTimeout(resolve, 20))
  })

  after(async () => {
    await node.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it(`keeps serving after ${FRAMES} bad frames, answers only well-formed RESP, and holds bounded memory (seed ${SEED})`, async () => {
    const rng = xoroshiro128plus(SEED)
    const int = (a: number, b: number): number => uniformInt(rng, a, b)
    global.gc?.()
    const heapBefore = process.memoryUsage().heapUsed
    let sent = 0
    let connections = 0
    let closedOnError = 0
    const parallel = 8
    const worker = async (): Promise<void> => {
      while (sent < FRAMES) {
        const frames: Buffer[] = []
        const n = Math.min(int(1, 40), FRAMES - sent)
        for (let i = 0; i < n; i++) frames.push(badFrame(int))
        sent += n
        connections++
        const reply = await exchange(port, Buffer.concat(frames))
        // Whatever came back parses as RESP replies; a protocol error is the last thing said.
        const r = new RespReader({ mode: 'client' }).push(reply)
        expect(r.error, `reply does not parse (seed ${SEED})`).to.equal(undefined)
        const last = r.frames[r.frames.length - 1]
        if (last?.type === 'error' && last.value.startsWith('ERR Protocol error')) closedOnError++
        for (const f of r.frames.slice(0, -1)) {
          expect(f.type === 'error' && f.value.startsWith('ERR Protocol error'), `protocol error before the end (seed ${SEED}): ${JSON.stringify(r.frames.slice(-3))}`).to.equal(false)
        }
      }
    }
    await Promise.all(Array.from({ length: parallel }, async () => { await worker() }))
    expect(closedOnError).to.be.greaterThan(0)
    // Many connections each holding a frame that never completes: each is cut at maxPendingBytes.
    const holders = await Promise.all(Array.from({ length: 20 }, async () => await exchange(port, Buffer.concat([Buffer.from('*1\r\n$16000000\r\n'), Buffer.alloc(MAX_PENDING + 1024, 120)]))))
    for (const h of holders) expect(h.toString()).to.match(/^-ERR Protocol error: a frame exceeds/)
    global.gc?.()
    const heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024
    expect(heapGrowthMb, 'heap growth (MiB)').to.be.below(64)
    // Still serving.
    const ok = await exchange(port, Buffer.concat([encodeCommand(['TICKET']), encodeCommand(['PING'])]))
    expect(ok.toString()).to.match(/^:\d+\r\n\+PONG\r\n$/)
    expect(node.status).to.equal('started')
    console.log(`      ${sent} frames over ${connections} connections, ${closedOnError} closed on a protocol error, heap growth ${heapGrowthMb.toFixed(1)} MiB`)
  })
})
