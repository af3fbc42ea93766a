import { expect } from 'chai'
import { pushPullInterval, retransmitLimit } from '../src/scaling.js'

describe('scaling with cluster size', () => {
  it('the retransmit limit is mult × ⌈log10(N + 1)⌉', () => {
    expect(retransmitLimit(4, 1)).to.equal(4)
    expect(retransmitLimit(4, 9)).to.equal(4)
    expect(retransmitLimit(4, 10)).to.equal(8)
    expect(retransmitLimit(4, 99)).to.equal(8)
    expect(retransmitLimit(4, 100)).to.equal(12)
    expect(retransmitLimit(2, 16)).to.equal(4)
  })

  it('the retransmit limit of an empty cluster is zero', () => {
    expect(retransmitLimit(4, 0)).to.equal(0)
  })

  it('the push/pull interval stays at its base up to 32 members', () => {
    expect(pushPullInterval(30_000, 1)).to.equal(30_000)
    expect(pushPullInterval(30_000, 32)).to.equal(30_000)
  })

  it('the push/pull interval grows with log2 of the size beyond 32 members', () => {
    expect(pushPullInterval(30_000, 33)).to.equal(60_000)
    expect(pushPullInterval(30_000, 64)).to.equal(60_000)
    expect(pushPullInterval(30_000, 65)).to.equal(90_000)
    expect(pushPullInterval(30_000, 1024)).to.equal(180_000)
  })
})
