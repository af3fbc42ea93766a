import { expect } from 'chai'
import { readFile, mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePorts } from '@clusterfunk/core/testing'
import { MachineProcess, ensureRedisTools, redisCli } from '../src/testing.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const pkg = path.join(here, '..', '..')

describe('README example', function () {
  this.timeout(60_000)

  it('is test/fixtures/readme-app.ts word for word (the build compiles it)', async () => {
    const readme = await readFile(path.join(pkg, 'README.md'), 'utf8')
    const block = /<!-- example:readme-app -->\n```ts compile\n([\s\S]*?)```/.exec(readme)?.[1]
    expect(block, 'the README has the example block').to.be.a('string')
    const fixture = await readFile(path.join(pkg, 'test', 'fixtures', 'readme-app.ts'), 'utf8')
    expect(block).to.equal(fixture.replace("from '../../src/index.js'", "from '@clusterfunk/machine'"))
  })

  it('runs: INCR and GET through redis-cli, HISTORY with the machine time and dice', async () => {
    ensureRedisTools()
    const dir = await mkdtemp(path.join(os.tmpdir(), 'machine-readme-'))
    const [port, raftPort] = await freePorts(2) as [number, number]
    const p = new MachineProcess(path.join(here, 'fixtures', 'readme-app.js'), ['-n', '1', '-a', `127.0.0.1:${port}`, '--raft-port', String(raftPort), '-d', dir, '-l', 'warn'])
    try {
      const deadline = Date.now() + 30_000
      let first = ''
      while (Date.now() < deadline) {
        first = await redisCli(port, ['INCR', 'visits']).catch(() => '')
        if (first.trim() === '1') break
        await new Promise(resolve => setTimeout(resolve, 100))
      }
      expect(first.trim(), p.stderr).to.equal('1')
      expect((await redisCli(port, ['INCR', 'visits'])).trim()).to.equal('2')
      expect((await redisCli(port, ['GET', 'visits'])).trim()).to.equal('2')
      const history = (await redisCli(port, ['HISTORY'])).trim().split('\n')
      expect(history).to.have.length(2)
      for (const line of history) expect(line).to.match(/^visits@\d{4}-\d\d-\d\dT[\d:.]+Z lucky [1-6]$/)
      expect(await redisCli(port, ['INCR'])).to.match(/wrong number of arguments/)
    } finally {
      expect(await p.stop()).to.equal(0)
      await rm(dir, { recursive: true, force: true })
    }
  })
})
