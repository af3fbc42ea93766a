import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { allBlocks, blockFileName, extractBlocks, type ReadmeBlock } from './readme-blocks.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
// Inside the repository, so that `@clusterfunk/*` resolve through the workspace links.
const OUT = path.join(ROOT, 'test', 'dist', 'readme-blocks')
const RUN_TIMEOUT_MS = 60_000

const blocks = allBlocks(ROOT)
const checked = blocks.filter(b => b.mode !== 'fragment')
const diagnostics = new Map<string, string[]>()

function compileAll (): void {
  rmSync(OUT, { recursive: true, force: true })
  mkdirSync(OUT, { recursive: true })
  const files = checked.map(b => {
    const file = path.join(OUT, blockFileName(b))
    // `export {}` makes every block a module, so top-level await and imports work as written.
    writeFileSync(file, b.code + 'export {}\n')
    return file
  })
  const program = ts.createProgram(files, {
    strict: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: ['node'],
    skipLibCheck: true,
    noEmitOnError: false,
    outDir: OUT,
    rootDir: OUT
  })
  const emitted = program.emit()
  for (const d of [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics]) {
    const file = d.file?.fileName ?? '(program)'
    const where = d.file !== undefined && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0
    const list = diagnostics.get(path.resolve(file)) ?? []
    list.push(`line ${where} of the block: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)
    diagnostics.set(path.resolve(file), list)
  }
}

async function run (block: ReadmeBlock): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const cwd = mkdtempSync(path.join(tmpdir(), 'readme-block-'))
  const script = path.join(OUT, blockFileName(block).replace(/\.ts$/, '.js'))
  try {
    return await new Promise(resolve => {
      execFile(process.execPath, [script], { cwd, timeout: RUN_TIMEOUT_MS, env: { ...process.env, CLUSTERFUNK_LOG: '' } }, (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null
        resolve({ code, stdout, stderr })
      })
    })
  } finally {
    rmSync(cwd, { recursive: true, force: true })
  }
}

describe('README code blocks', () => {
  before(function () {
    this.timeout(120_000)
    compileAll()
  })

  it('reads each mode from the fence and refuses an unknown one', () => {
    const text = ['# x', '```ts', 'a()', '```', '```ts compile', 'b()', '```', '```ts fragment', 'c', '```', '```sh', 'ls', '```'].join('\n')
    expect(extractBlocks('X.md', text).map(b => [b.line, b.mode, b.code])).to.deep.equal([
      [2, 'run', 'a()\n'], [5, 'compile', 'b()\n'], [8, 'fragment', 'c\n']
    ])
    expect(() => extractBlocks('X.md', '```ts maybe\nx\n```')).to.throw(/X.md:1: unknown block mode 'maybe'/)
    expect(() => extractBlocks('X.md', '```ts\nx\n')).to.throw(/never closed/)
  })

  it('finds blocks that run in the READMEs', () => {
    expect(blocks.filter(b => b.mode === 'run').length).to.be.greaterThan(5)
  })

  for (const block of checked) {
    const file = path.resolve(path.join(OUT, blockFileName(block)))
    it(`${block.readme}:${block.line} compiles (strict, NodeNext)`, () => {
      expect(diagnostics.get(file) ?? [], `${block.readme}:${block.line}`).to.deep.equal([])
    })
    if (block.mode === 'run') {
      it(`${block.readme}:${block.line} runs to a clean exit`, async function () {
        this.timeout(RUN_TIMEOUT_MS + 10_000)
        const { code, stdout, stderr } = await run(block)
        expect(code, `exit code; stdout:\n${stdout}\nstderr:\n${stderr}`).to.equal(0)
        expect(stderr, 'stderr').to.not.match(/Error|Warning/)
      })
    }
  }
})
