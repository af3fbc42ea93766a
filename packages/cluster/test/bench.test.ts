import type { Figure } from '@clusterfunk/core/bench'
import { expect } from 'chai'
import { run as runCrash } from '../bench/crash.bench.js'
import { run as runMembership } from '../bench/membership.bench.js'
import { run as runLocks } from '../bench/locks.bench.js'
import { run as runRequests } from '../bench/requests.bench.js'

describe('cluster benchmarks', function () {
  this.timeout(120_000)

  it('the crash benchmark reports every figure with its unit at tiny size', async () => {
    const figures: Figure[] = []
    await runCrash({ tiny: true, report: (f) => figures.push(f) })
    expect(figures.map((f) => [f.bench, f.unit])).to.deep.equal([
      ['cluster.crash.follower', 'ms'],
      ['cluster.crash.follower.max', 'ms'],
      ['cluster.crash.follower.detect', 'ms'],
      ['cluster.crash.follower.reshard', 'ms'],
      ['cluster.crash.leader', 'ms'],
      ['cluster.crash.leader.max', 'ms'],
      ['cluster.crash.leader.elect', 'ms'],
      ['cluster.crash.leader.detect', 'ms'],
      ['cluster.crash.leader.trials', 'trials'],
      ['cluster.crash.rejoin.stuck', '%']
    ])
  })

  it('the crash benchmark with the default timing preset names its figures cluster.crash.stable.*, without the fast preset\'s goals', async () => {
    const figures: Figure[] = []
    await runCrash({ tiny: true, report: (f) => figures.push(f) }, 'stable')
    expect(figures.map((f) => f.bench)).to.include.members(['cluster.crash.stable.follower', 'cluster.crash.stable.leader'])
    expect(figures.every((f) => f.bench.startsWith('cluster.crash.stable.') && f.goal === undefined)).to.equal(true)
  })

  it('the membership benchmark reports every figure with its unit at tiny size', async () => {
    const figures: Figure[] = []
    await runMembership({ tiny: true, report: (f) => figures.push(f) })
    expect(figures.map((f) => [f.bench, f.unit])).to.deep.equal([
      ['cluster.join', 'ms'],
      ['cluster.join.max', 'ms'],
      ['cluster.join.raft', 'ms'],
      ['cluster.reshard.join', 'ms'],
      ['cluster.reshard.leave', 'ms'],
      ['cluster.reshard.10000', 'ms'],
      ['cluster.reshard.10000.acked', 'ms'],
      ['cluster.reshard.10000.max', 'ms']
    ])
  })

  it('the lock benchmark reports every figure with its unit at tiny size', async () => {
    const figures: Figure[] = []
    await runLocks({ tiny: true, report: (f) => figures.push(f) })
    expect(figures.map((f) => [f.bench, f.unit])).to.deep.equal([
      ['lock.acquire.p50', 'ms'],
      ['lock.acquire.p99', 'ms'],
      ['lock.acquire.follower.p50', 'ms'],
      ['lock.raft.p50', 'ms'],
      ['lock.acquire.vs_raft', 'x'],
      ['lock.failover', 'ms'],
      ['lock.failover.max', 'ms']
    ])
  })

  it('the requests benchmark reports request.p50 and request.p99 at tiny size', async () => {
    const figures: Figure[] = []
    await runRequests({ tiny: true, report: (f) => figures.push(f) })
    expect(figures.map((f) => [f.bench, f.unit])).to.deep.equal([['request.p50', 'ms'], ['request.p99', 'ms']])
  })
})
