import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator'
import { randomInt } from 'node:crypto'

/**
 * Randomness is injected. A protocol core that needs a random choice (an
 * election timeout, a shuffle, a probe target) takes a `Random`; with the
 * same seed a run makes the same choices.
 */
export interface Random {
  /** A float in [0, 1). */
  float: () => number
  /** An integer in [min, max], both included. */
  int: (min: number, max: number) => number
  /** True with probability `p`. */
  chance: (p: number) => boolean
  /** One element of a non-empty array. */
  pick: <T>(items: readonly T[]) => T
  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle: <T>(items: T[]) => T[]
  /** A 32-bit unsigned integer, for nonces and ids. */
  uint32: () => number
  /** An independent generator derived from this one (for a sub-component). */
  fork: () => Random
}

/** A `Random` over pure-rand's xoroshiro128+: fast, small state, reproducible. */
export class SeededRandom implements Random {
  readonly seed: number
  private readonly rng: RandomGenerator

  constructor (seed: number, rng?: RandomGenerator) {
    this.seed = seed
    this.rng = rng ?? xoroshiro128plus(seed)
  }

  float (): number {
    return uniformFloat64(this.rng)
  }

  int (min: number, max: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min) {
      throw new RangeError(`int(${min}, ${max}) needs integers with min <= max`)
    }
    return uniformInt(this.rng, min, max)
  }

  chance (p: number): boolean {
    if (p <= 0) return false
    if (p >= 1) return true
    return this.float() < p
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick() from an empty array')
    return items[this.int(0, items.length - 1)] as T
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i)
      const tmp = items[i] as T
      items[i] = items[j] as T
      items[j] = tmp
    }
    return items
  }

  uint32 (): number {
    return this.rng.next() >>> 0
  }

  fork (): Random {
    return new SeededRandom(this.seed, xoroshiro128plus(this.rng.next() ^ 0x5bd1e995))
  }
}

/** A fresh seed from the operating system's entropy. */
export function randomSeed (): number {
  return randomInt(0, 2 ** 31 - 1)
}

/** A `Random` seeded from the operating system, for production use. */
export function createRandom (seed: number = randomSeed()): Random {
  return new SeededRandom(seed)
}
