import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { promisify } from 'node:util'

const fixture = (ext: string): URL => new URL(`./fixtures/readme-kv.${ext}`, import.meta.url)

describe('README replicated KV example', () => {
  it('is test/fixtures/readme-kv.ts word for word', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8')
    const block = /## Example: a replicated key-value map[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1]
    const source = await readFile(new URL('../../test/fixtures/readme-kv.ts', import.meta.url), 'utf8')
    expect(block).to.equal(source)
  })

  it('compiles, and runs as a program: three nodes over gRPC replicate a Map and serve a linearizable read', async function () {
    this.timeout(30_000)
    const { stdout } = await promisify(execFile)(process.execPath, [fixture('js').pathname], { timeout: 25_000 })
    expect(stdout.trim()).to.equal('red blue')
  })
})
