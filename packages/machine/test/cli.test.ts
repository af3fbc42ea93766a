import { expect } from 'chai'
import { execFile } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { CommanderError } from 'commander'
import { buildCommand, nodeInitFromFlags, resolveNodeInit, type CliOptions } from '../src/index.js'
import { ticketMachine } from './helpers/ticket.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const APP = path.join(here, 'fixtures', 'readme-app.js')
const def = ticketMachine as unknown as Parameters<typeof buildCommand>[0]

function parse (...args: string[]): CliOptions {
  const cmd = buildCommand(def).exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} })
  cmd.parse(['node', 'app', ...args])
  return cmd.opts<CliOptions>()
}

async function run (...args: string[]): Promise<{ code: number | null, stdout: string, stderr: string }> {
  return await new Promise((resolve) => {
    execFile(process.execPath, [APP, ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : (err as { code?: number }).code ?? null, stdout, stderr })
    })
  })
}

describe('the command line', () => {
  it('has uhaha\'s defaults', () => {
    const init = resolveNodeInit(nodeInitFromFlags(def, parse()))
    expect(init).to.deep.include({ nodeId: '1', host: '127.0.0.1', port: 11001, raftPort: 21001, dataDir: path.join('data', 'ticket-test-1'), noSync: false, openReads: false, localTime: false, followerMode: 'forward', auth: undefined })
  })

  it('maps every flag onto the node options', () => {
    const o = parse('-n', '7', '-a', ':12000', '-d', '/tmp/x', '-j', ':11001', '--auth', 'pw', '--advertise', '10.0.0.7:12000', '--raft-port', '13000',
      '--nosync', '--openreads', '--localtime', '--follower-mode', 'try', '--preset', 'fast', '-l', 'warn')
    const init = resolveNodeInit(nodeInitFromFlags(def, o))
    expect(init).to.deep.include({ nodeId: '7', host: '127.0.0.1', port: 12000, raftPort: 13000, dataDir: '/tmp/x/ticket-test-7', join: '127.0.0.1:11001', auth: 'pw', advertise: '10.0.0.7:12000', noSync: true, openReads: true, localTime: true, followerMode: 'try', preset: 'fast' })
  })

  it('refuses an unknown flag, a bad level and a bad port', () => {
    expect(() => parse('--bogus')).to.throw(CommanderError, /unknown option/)
    expect(() => parse('-l', 'loud')).to.throw(CommanderError, /Allowed choices/)
    expect(() => parse('--raft-port', '70000')).to.throw(CommanderError, /port/)
  })

  it('refuses --restore with -j, and one TLS file without the other', () => {
    expect(() => nodeInitFromFlags(def, parse('--restore', 'x', '-j', ':1'))).to.throw(/--restore cannot be used with -j/)
    expect(() => nodeInitFromFlags(def, parse('--tls-cert', 'c.pem'))).to.throw(/go together/)
  })

  it('as a process: a bad flag prints a message and exits 1; -v prints the version; -h the flags', async () => {
    const bad = await run('--bogus')
    expect(bad.code).to.equal(1)
    expect(bad.stderr).to.match(/unknown option '--bogus'/)
    const conflict = await run('--restore', 'x', '-j', ':1')
    expect(conflict.code).to.equal(1)
    expect(conflict.stderr).to.match(/--restore cannot be used with -j/)
    const version = await run('-v')
    expect(version.code).to.equal(0)
    expect(version.stdout.trim()).to.equal('1.0.0')
    const help = await run('-h')
    expect(help.code).to.equal(0)
    for (const flag of ['-n, --node-id', '-a, --addr', '-d, --dir', '-j, --join', '-l, --log-level', '--tls-cert', '--tls-key', '--auth', '--advertise', '--nosync', '--openreads', '--localtime', '--restore', '-v, --version', '-h, --help']) {
      expect(help.stdout).to.include(flag)
    }
  })
})
