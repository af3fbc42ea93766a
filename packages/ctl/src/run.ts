import { Command, CommanderError } from 'commander'
import { printClusterStatus } from './cluster-status.js'
import * as commands from './commands.js'
import { completionScript } from './completion.js'
import { connect } from './connect.js'
import { registerLock } from './lock.js'
import { registerState } from './state.js'
import { ExitCode, UsageError, describeError } from './exit-codes.js'
import type { CtlIo } from './io.js'
import { resolveOptions, type RawGlobalOptions } from './options.js'
import { ctlVersion } from './version.js'
import { registerEvent } from './event.js'
import { registerInfo } from './info.js'
import { registerQuery } from './query.js'
import { registerRequest } from './request.js'

const EXIT_CODES_HELP = `
Exit codes:
  0    done
  1    internal error (a bug)
  2    bad arguments
  3    unreachable, timed out, or no endpoint found by zeroconf
  4    token missing or wrong
  5    the cluster answered with an error (no leader, unknown node, refused)
  130  interrupted (watch exits 0 on Ctrl-C)

Environment: FUNKCTL_ENDPOINT, FUNKCTL_CLUSTER, FUNKCTL_TOKEN, FUNKCTL_TLS_CA,
FUNKCTL_TIMEOUT, FUNKCTL_DEBUG (stack traces of internal errors)`

function program (io: CtlIo): Command {
  const root = new Command('funkctl')
    .description('Manage a clusterfunk cluster through its gRPC management API')
    .version(ctlVersion(), '-V, --version', 'print funkctl\'s version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => { io.stdout(text) },
      writeErr: (text) => { io.stderr(text) },
      outputError: (text, write) => { write(`funkctl: ${text.replace(/^error: /, '')}`) }
    })
    .option('-e, --endpoint <host:port>', 'management endpoint of any node (else found by zeroconf with --cluster)')
    .option('-c, --cluster [name]', 'cluster name, to find an endpoint by zeroconf (and for diag); `status --cluster` without a name: every member\'s status')
    .option('-t, --token <token>', 'cluster token (or FUNKCTL_TOKEN)')
    .option('--tls-ca <file>', 'connect with TLS, trusting this CA (PEM)')
    .option('--timeout <duration>', 'deadline of each call: 500ms, 5s, 1m (default 5s)')
    .option('--json', 'machine-readable JSON output')
    .option('--insecure', 'allow sending the token without TLS to a non-loopback address')
    .addHelpText('after', EXIT_CODES_HELP)
    .showSuggestionAfterError()

  const context = (cmd: Command): commands.CommandContext => {
    const raw = cmd.optsWithGlobals<Omit<RawGlobalOptions, 'cluster'> & { cluster?: string | boolean }>()
    // --cluster without a name is `status --cluster` (every member); the zeroconf name then comes from FUNKCTL_CLUSTER.
    if (raw.cluster === true && cmd.name() !== 'status') throw new UsageError('--cluster needs a cluster name (--cluster <name>); without one it is only for status')
    const options = resolveOptions({ ...raw, cluster: typeof raw.cluster === 'string' ? raw.cluster : undefined }, io.env ?? {})
    return { io, options, connect: async () => await connect(options, io), connectTo: async (address: string) => await connect(options, io, address) }
  }

  root.command('status').description('this node\'s view: role, state, leader, Raft term and index, members, shards, version')
    .addHelpText('after', '\n--cluster without a name: every member\'s own status, each dialled at its management endpoint\n(role, state, Raft term, commit and applied index, map version, leader, version), as a table or --json.')
    .action(async (_opts: unknown, cmd: Command) => {
      if (cmd.optsWithGlobals<{ cluster?: string | boolean }>().cluster === true) await printClusterStatus(context(cmd))
      else await commands.status(context(cmd))
    })
  root.command('nodes').description('every node: suffrage, SWIM and liveness status, leader, gossip/Raft/management addresses, endpoints')
    .option('--status <regexp>', 'only nodes whose SWIM status matches (alive, suspect, dead, left; alive|suspect)')
    .option('--tag <key=regexp>', 'only nodes publishing tag ep.<key> with a matching value (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .action(async (opts: { status?: string, tag?: string[] }, cmd: Command) => {
      await commands.nodes(context(cmd), { ...(opts.status === undefined ? {} : { status: opts.status }), tags: opts.tag ?? [] })
    })
  root.command('shards').description('shards per node, with counts and %')
    .action(async (_opts: unknown, cmd: Command) => { await commands.shards(context(cmd)) })
  root.command('endpoints').argument('[filter]', 'only endpoint names containing this')
    .description('endpoints of every node').option('--tree', 'group by endpoint name')
    .action(async (filter: string | undefined, opts: { tree?: boolean }, cmd: Command) => {
      await commands.endpoints(context(cmd), filter, opts.tree === true)
    })
  const node = root.command('node').description('change the Raft membership')
  node.command('add').argument('<id>', 'node id').argument('<address>', 'its Raft address, host:port')
    .option('--non-voter', 'add as a non-voter').description('add a node (on the leader)')
    .action(async (id: string, address: string, opts: { nonVoter?: boolean }, cmd: Command) => {
      await commands.nodeAdd(context(cmd), id, address, opts.nonVoter === true)
    })
  node.command('rm').alias('remove').argument('<id>', 'node id').description('remove a node (on the leader)')
    .action(async (id: string, _opts: unknown, cmd: Command) => { await commands.nodeRemove(context(cmd), id) })
  root.command('step-down').description('make the leader hand over to another voter')
    .action(async (_opts: unknown, cmd: Command) => { await commands.stepDown(context(cmd)) })
  root.command('watch').description('stream cluster events until Ctrl-C')
    .action(async (_opts: unknown, cmd: Command) => { await commands.watch(context(cmd)) })
  registerState(root, context)
  registerLock(root, context)
  root.command('completion').argument('<shell>', 'bash or zsh')
    .description('print a shell completion script: source <(funkctl completion bash)')
    .action((shell: string) => { io.stdout(completionScript(root, shell)) })
  root.command('diag').description('browse zeroconf (_clusterfunk._udp) for the cluster\'s records')
    .action(async (_opts: unknown, cmd: Command) => { await commands.diag(context(cmd)) })
  registerEvent(root, context)
  registerQuery(root, context)
  registerInfo(root, context)
  registerRequest(root, context)
  return root
}

/**
 * Runs funkctl with `argv` (the arguments after the program name) and
 * returns the exit code. Output goes through `io` only; an expected error
 * is one line on stderr, `funkctl: <what went wrong>`, never a stack.
 */
export async function run (argv: readonly string[], io: CtlIo): Promise<number> {
  try {
    await program(io).parseAsync([...argv], { from: 'user' })
    return ExitCode.OK
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander printed its message already; help and --version exit 0.
      return err.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE
    }
    const { code, message } = describeError(err)
    if (code === ExitCode.INTERNAL && io.env?.FUNKCTL_DEBUG !== undefined && err instanceof Error) io.stderr(`${err.stack ?? ''}\n`)
    io.stderr(`funkctl: ${message}\n`)
    return code
  }
}

