'use strict'
// Mocha's spec reporter plus one closing line, "N passed, N failed", that CI
// and people can read the verdict from without knowing mocha's wording.
const Mocha = require('mocha')

const { Spec } = Mocha.reporters
const { EVENT_RUN_END } = Mocha.Runner.constants

class SummaryReporter extends Spec {
  constructor (runner, options) {
    super(runner, options)
    runner.once(EVENT_RUN_END, () => {
      const { passes, failures, pending } = runner.stats
      process.stdout.write(`tests: ${passes} passed, ${failures} failed` + (pending > 0 ? `, ${pending} skipped` : '') + '\n')
    })
  }
}

module.exports = SummaryReporter
