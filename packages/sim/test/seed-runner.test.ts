import { expect } from 'chai'
import { replayCommand, runSeeds, SeedFailureError, type SeedFailureError as Failure } from '../src/index.js'

async function failureOf (run: Promise<unknown>): Promise<Failure> {
  try {
    await run
  } catch (err) {
    if (err instanceof SeedFailureError) return err
    throw err
  }
  throw new Error('expected the run to fail')
}

describe('runSeeds', () => {
  it('runs consecutive seeds, each on a fresh simulation seeded with it', async () => {
    const seen: Array<[number, number, number]> = []
    const summary = await runSeeds({
      name: 'counts',
      seeds: 5,
      firstSeed: 10,
      env: {},
      scenario: ({ seed, sim }) => { seen.push([seed, sim.seed, sim.now()]); sim.runFor(5) }
    })
    expect(summary.seeds).to.deep.equal([10, 11, 12, 13, 14])
    expect(seen).to.deep.equal([[10, 10, 0], [11, 11, 0], [12, 12, 0], [13, 13, 0], [14, 14, 0]])
  })

  it('stops at the real-time budget but always runs one seed', async () => {
    const summary = await runSeeds({ name: 'budget', seeds: 1_000, budgetMs: 0, env: {}, scenario: () => {} })
    expect(summary.seeds).to.deep.equal([1])
  })

  it('runs exactly the seed SIM_SEED names', async () => {
    const summary = await runSeeds({ name: 'one', seeds: 50, env: { SIM_SEED: '4242' }, scenario: () => {} })
    expect(summary.seeds).to.deep.equal([4242])
  })

  it('widens a run with SIM_SEEDS, lifting the default budget', async () => {
    const summary = await runSeeds({ name: 'wide', seeds: 2, budgetMs: 0, env: { SIM_SEEDS: '7' }, scenario: () => {} })
    expect(summary.seeds).to.have.length(7)
  })

  it('reports the seed, the original error and the replay command of a failing scenario', async function () {
    const test = this.test
    const err = await failureOf(runSeeds({
      name: 'fails at seed 3',
      env: {},
      test,
      scenario: async ({ seed, sim }) => {
        sim.trace.record('n1', 'about to check')
        await Promise.resolve()
        if (seed === 3) throw new Error('invariant broken: two leaders')
      }
    }))
    expect(err.seed).to.equal(3)
    expect(err.message).to.contain('seed 3')
    expect(err.message).to.contain('invariant broken: two leaders')
    expect(err.message).to.contain('0.000 n1 about to check')
    expect(err.replayCommand).to.match(/^SIM_SEED=3 npx mocha --no-config --timeout 60000 \S*seed-runner\.test\.js -g /)
    expect(err.replayCommand).to.contain("'runSeeds reports the seed, the original error and the replay command of a failing scenario'")
    expect(err.message).to.contain(err.replayCommand)
    expect((err.cause as Error).message).to.equal('invariant broken: two leaders')
  })

  it('finds the calling test file for the replay command when not told', async () => {
    const err = await failureOf(runSeeds({ name: 'plain', env: {}, scenario: () => { throw new Error('x') } }))
    expect(err.replayCommand).to.match(/seed-runner\.test\.js -g plain$/)
  })

  it('quotes titles for the shell and makes paths relative to the working directory', () => {
    const cmd = replayCommand(9, '/repo/packages/raft/dist/test/sim.test.js', "raft's leader is unique", '/repo')
    expect(cmd).to.equal("SIM_SEED=9 npx mocha --no-config --timeout 60000 packages/raft/dist/test/sim.test.js -g 'raft'\\''s leader is unique'")
  })
})
