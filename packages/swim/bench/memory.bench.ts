import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { printFigure, type BenchOptions } from '@clusterfunk/core/bench'

const FIXTURE = fileURLToPath(new URL('./fixtures/memory.js', import.meta.url))

/**
 * Memory per extra in-process member: a fresh process (run with
 * `--expose-gc`) starts 8 LAN members, then 56 more, and reports the growth
 * of heap used + external memory (which includes array buffers) after full
 * collections, divided
 * by 56. Each member's view holds every other member, so this grows with N;
 * it is measured at N = 64.
 */
export async function run (options: BenchOptions): Promise<void> {
  const report = options.report ?? printFigure
  const args = ['--expose-gc', FIXTURE, '--base', options.tiny ? '2' : '8', '--extra', options.tiny ? '2' : '56']
  const { stdout } = await promisify(execFile)(process.execPath, args, { timeout: 120_000 })
  const { perMemberBytes, rssPerMemberBytes } = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { perMemberBytes: number, rssPerMemberBytes: number }
  process.stderr.write(`    memory per member: heap + external ${(perMemberBytes / 1024).toFixed(1)} KiB; RSS growth ${(rssPerMemberBytes / 1024).toFixed(1)} KiB (RSS also holds allocator slack and socket buffers)\n`)
  report({ bench: 'swim.memory_per_member', value: perMemberBytes / (1024 * 1024), unit: 'MiB', goal: 2, better: 'lower' })
}
