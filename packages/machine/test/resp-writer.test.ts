import { expect } from 'chai'
import { OK, SimpleString, encodeCommand, encodeFrame, frameForProtocol, toFrame, WrongPassError } from '../src/index.js'

const bytes = (v: unknown, protocol: 2 | 3): string => encodeFrame(toFrame(v, protocol)).toString()

describe('RespWriter and replies', () => {
  it('encodes a command as an array of bulk strings', () => {
    expect(encodeCommand(['SET', 'k', 'é']).toString()).to.equal('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n')
  })

  it('turns command results into RESP2 replies', () => {
    expect(bytes(OK, 2)).to.equal('+OK\r\n')
    expect(bytes('x', 2)).to.equal('$1\r\nx\r\n')
    expect(bytes(42, 2)).to.equal(':42\r\n')
    expect(bytes(1.5, 2)).to.equal('$3\r\n1.5\r\n')
    expect(bytes(null, 2)).to.equal('$-1\r\n')
    expect(bytes(true, 2)).to.equal(':1\r\n')
    expect(bytes({ a: 1 }, 2)).to.equal('*2\r\n$1\r\na\r\n:1\r\n')
    expect(bytes([new SimpleString('s'), 'b'], 2)).to.equal('*2\r\n+s\r\n$1\r\nb\r\n')
    expect(bytes(new WrongPassError(), 2)).to.equal('-WRONGPASS invalid password\r\n')
    expect(bytes(new Error('boom'), 2)).to.equal('-ERR boom\r\n')
  })

  it('turns command results into RESP3 replies', () => {
    expect(bytes(null, 3)).to.equal('_\r\n')
    expect(bytes(1.5, 3)).to.equal(',1.5\r\n')
    expect(bytes(false, 3)).to.equal('#f\r\n')
    expect(bytes(new Map([['a', 1]]), 3)).to.equal('%1\r\n$1\r\na\r\n:1\r\n')
    expect(bytes(new Set(['a']), 3)).to.equal('~1\r\n$1\r\na\r\n')
    expect(bytes(10n ** 30n, 3)).to.equal('(1000000000000000000000000000000\r\n')
  })

  it('downgrades nested RESP3 frames for RESP2 clients', () => {
    const f = frameForProtocol({ type: 'push', value: [{ type: 'null' }, { type: 'double', value: -Infinity }] }, 2)
    expect(encodeFrame(f).toString()).to.equal('*2\r\n$-1\r\n$4\r\n-inf\r\n')
  })

  it('keeps simple strings and errors on one line', () => {
    expect(encodeFrame({ type: 'error', value: 'ERR a\r\nb' }).toString()).to.equal('-ERR a b\r\n')
  })
})
