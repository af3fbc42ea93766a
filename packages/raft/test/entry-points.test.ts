import { expect } from 'chai'
import { importGraph } from '@clusterfunk/core/testing'

describe('entry points', () => {
  it('the main entry loads neither the simulator nor the simulation adapters', () => {
    for (const entry of ['../src/index.js', '../src/index.d.ts']) {
      const graph = importGraph(new URL(entry, import.meta.url))
      expect([...graph.workspace].filter(s => s.startsWith('@clusterfunk/sim')), entry).to.deep.equal([])
      expect([...graph.files].filter(f => /\/(sim[^/]*|linearizability)\.(js|d\.ts)$|\/packages\/sim\//.test(f)), entry).to.deep.equal([])
    }
  })

  it('the main entry loads neither classic-level nor gRPC, nor the test aids', () => {
    for (const entry of ['../src/index.js', '../src/index.d.ts']) {
      const graph = importGraph(new URL(entry, import.meta.url))
      expect([...graph.external].filter(s => s === 'classic-level' || s.startsWith('@grpc/')), entry).to.deep.equal([])
      expect([...graph.files].filter(f => /\/(level-store|grpc-transport|raft-auth|memory-transport|inspect-raft|testing)\.(js|d\.ts)$/.test(f)), entry).to.deep.equal([])
    }
  })

  it('the ./level, ./grpc and ./testing entries hold classic-level, gRPC and the test aids', async () => {
    expect(importGraph(new URL('../src/level.js', import.meta.url)).external.has('classic-level')).to.equal(true)
    const grpc = importGraph(new URL('../src/grpc.js', import.meta.url)).external
    expect(grpc.has('@grpc/grpc-js') && grpc.has('@grpc/proto-loader')).to.equal(true)
    expect((await import('../src/level.js')).LevelStore).to.be.a('function')
    expect((await import('../src/grpc.js')).GrpcTransport).to.be.a('function')
    const testing = await import('../src/testing.js')
    expect(testing.inspectRaft).to.be.a('function')
    expect(testing.MemoryNetwork).to.be.a('function')
  })

  it('the ./sim entry holds the adapters, typed against @clusterfunk/sim', async () => {
    const sim = await import('../src/sim.js')
    expect(sim.SimTransport).to.be.a('function')
    expect(sim.checkLinearizable).to.be.a('function')
    expect(importGraph(new URL('../src/sim.d.ts', import.meta.url)).workspace.has('@clusterfunk/sim')).to.equal(true)
  })
})
