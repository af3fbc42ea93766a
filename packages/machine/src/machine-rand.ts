import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator'
import type { MachineRand } from './machine-types.js'

/** The last value of each kind a write drew: what a read's `rand` returns, and what a snapshot keeps. */
export interface LastRandom {
  uint32: number
  float: number
  int: number
  bytes: string
}

export const INITIAL_LAST_RANDOM: Readonly<LastRandom> = { uint32: 0, float: 0, int: 0, bytes: '' }

/**
 * A write's generator: pure-rand's xoroshiro128+ seeded by the entry's seed
 * (created lazily: most commands draw nothing). Every draw is remembered in
 * `last` for reads.
 */
export class EntryRand implements MachineRand {
  private rng: RandomGenerator | undefined
  constructor (private readonly seed: number, readonly last: LastRandom) {}

  private gen (): RandomGenerator {
    this.rng ??= xoroshiro128plus(this.seed | 0)
    return this.rng
  }

  uint32 (): number {
    this.last.uint32 = uniformInt(this.gen(), 0, 0xffff_ffff)
    return this.last.uint32
  }

  int (min: number, max: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min > max) throw new RangeError('int(min, max) needs safe integers with min <= max')
    this.last.int = uniformInt(this.gen(), min, max)
    return this.last.int
  }

  float (): number {
    this.last.float = uniformFloat64(this.gen())
    return this.last.float
  }

  bytes (n: number): Buffer {
    const out = Buffer.alloc(n)
    for (let i = 0; i < n; i++) out[i] = uniformInt(this.gen(), 0, 255)
    this.last.bytes = out.toString('hex')
    return out
  }
}

/** A read's `rand`: the last values, never advancing. */
export class LastRand implements MachineRand {
  constructor (private readonly last: Readonly<LastRandom>) {}
  uint32 (): number { return this.last.uint32 }
  int (): number { return this.last.int }
  float (): number { return this.last.float }
  bytes (n: number): Buffer {
    const b = Buffer.from(this.last.bytes, 'hex')
    return b.length >= n ? b.subarray(0, n) : Buffer.concat([b, Buffer.alloc(n - b.length)])
  }
}
