import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { RaftStats } from './raft-deps.js'

/** Latency buckets of commands (seconds), 250 µs to 5 s. */
const LATENCY_BUCKETS_SECONDS = [0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5]

/**
 * The node's figures in a prom-client registry of its own (one per node, so
 * several nodes in one process do not collide): commands by name and
 * outcome, their latency, forwarding, connections, protocol errors, and the
 * Raft figures read from `stats()` at scrape time.
 */
export class MachineMetrics {
  readonly registry = new Registry()
  private readonly commands: Counter<'command' | 'outcome'>
  private readonly latency: Histogram<'command'>
  private readonly forwardedTotal: Counter
  private readonly connTotal: Counter
  private readonly connOpen: Gauge
  private readonly protocolErrorsTotal: Counter
  /** Names counted under their own label; the rest count as `other`, so a client cannot grow the label set. */
  private known: ReadonlySet<string> = new Set()
  /** The labelled children per counted name (the known ones and `other`): no label hashing per command. */
  private readonly children = new Map<string, { ok: { inc: () => void }, error: { inc: () => void }, latency: { observe: (v: number) => void } }>()

  constructor () {
    const registers = [this.registry]
    this.commands = new Counter({ name: 'clusterfunk_machine_commands_total', help: 'Commands processed, by name and outcome (ok, error)', labelNames: ['command', 'outcome'], registers })
    this.latency = new Histogram({ name: 'clusterfunk_machine_command_latency_seconds', help: 'Seconds from a command taken to its reply', labelNames: ['command'], buckets: LATENCY_BUCKETS_SECONDS, registers })
    this.forwardedTotal = new Counter({ name: 'clusterfunk_machine_forwarded_total', help: 'Commands a follower forwarded to the leader', registers })
    this.connTotal = new Counter({ name: 'clusterfunk_machine_connections_total', help: 'Client connections accepted', registers })
    this.connOpen = new Gauge({ name: 'clusterfunk_machine_connections_open', help: 'Client connections open', registers })
    this.protocolErrorsTotal = new Counter({ name: 'clusterfunk_machine_protocol_errors_total', help: 'Connections closed for a bad frame or a bound', registers })
  }

  /** The command names that get a label of their own. */
  setKnownCommands (names: Iterable<string>): void {
    this.known = new Set(names)
    this.children.clear()
  }

  /** Registers gauges that read Raft's figures when scraped. */
  watchRaft (stats: () => RaftStats | undefined): void {
    const registers = [this.registry]
    const gauge = (name: string, help: string, pick: (s: RaftStats) => number): void => {
      new Gauge({ name, help, registers, collect () { const s = stats(); if (s !== undefined) this.set(pick(s)) } })
    }
    gauge('clusterfunk_machine_raft_term', 'Current Raft term', s => s.term)
    gauge('clusterfunk_machine_raft_commit_index', 'Raft commit index', s => s.commitIndex)
    gauge('clusterfunk_machine_raft_applied_index', 'Raft applied index', s => s.appliedIndex)
    gauge('clusterfunk_machine_raft_last_index', 'Last index of the Raft log', s => s.lastIndex)
    gauge('clusterfunk_machine_raft_is_leader', '1 when this node leads', s => s.role === 'leader' ? 1 : 0)
    gauge('clusterfunk_machine_raft_voters', 'Voters in the configuration', s => s.configuration.voters.length)
    gauge('clusterfunk_machine_raft_pending_proposals', 'Proposals waiting to be applied', s => s.pendingProposals)
  }

  /** One command answered, `latencyMs` after it was taken (observed in seconds). */
  record (name: string, ok: boolean, latencyMs: number): void {
    const command = this.known.has(name) ? name : 'other'
    let c = this.children.get(command)
    if (c === undefined) {
      c = { ok: this.commands.labels(command, 'ok'), error: this.commands.labels(command, 'error'), latency: this.latency.labels(command) }
      this.children.set(command, c)
    }
    ;(ok ? c.ok : c.error).inc()
    c.latency.observe(latencyMs / 1000)
  }

  forwarded (): void { this.forwardedTotal.inc() }
  connectionOpened (): void { this.connTotal.inc(); this.connOpen.inc() }
  connectionClosed (): void { this.connOpen.dec() }
  protocolError (): void { this.protocolErrorsTotal.inc() }

  /** The Prometheus text exposition. */
  async text (): Promise<string> {
    return await this.registry.metrics()
  }
}
