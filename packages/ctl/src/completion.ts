import type { Command } from 'commander'
import { UsageError } from './exit-codes.js'

/** Shells `funkctl completion` writes a script for. */
export const COMPLETION_SHELLS = ['bash', 'zsh'] as const

/** Every command path (`''`, `node`, `node add` ...) with the words that may follow it: subcommands and options, global ones included. */
function completions (root: Command): Map<string, string[]> {
  const globals = root.options.flatMap(o => [o.short, o.long]).filter((f): f is string => f !== undefined)
  const out = new Map<string, string[]>()
  const walk = (cmd: Command, path: string): void => {
    const subs = cmd.commands.flatMap(c => [c.name(), ...c.aliases()])
    const own = cmd === root ? [] : cmd.options.flatMap(o => [o.short, o.long]).filter((f): f is string => f !== undefined)
    out.set(path, [...new Set([...subs, ...own, ...globals, '--help'])])
    for (const c of cmd.commands) walk(c, path === '' ? c.name() : `${path} ${c.name()}`)
  }
  walk(root, '')
  return out
}

/** Options that take a value: after one, complete files (--tls-ca) or nothing. */
function valueOptions (root: Command): string[] {
  const all: string[] = []
  const walk = (cmd: Command): void => {
    for (const o of cmd.options) if (o.required || o.optional) all.push(...[o.short, o.long].filter((f): f is string => f !== undefined))
    cmd.commands.forEach(walk)
  }
  walk(root)
  return [...new Set(all)]
}

function bashFunction (root: Command): string {
  const cases = [...completions(root)].map(([path, words]) => `    "${path}") words="${words.join(' ')}" ;;`).join('\n')
  const commandNames = [...completions(root).keys()].filter(p => p !== '').map(p => p.split(' ').pop() ?? '')
  return `# funkctl completion, from the commands of this funkctl (regenerate after an upgrade).
_funkctl_complete () {
  local cur prev path word i words
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    --tls-ca) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
    ${valueOptions(root).filter(f => f !== '--tls-ca').join('|')}) COMPREPLY=(); return 0 ;;
  esac
  path=""
  for (( i=1; i<COMP_CWORD; i++ )); do
    word="\${COMP_WORDS[i]}"
    case " ${[...new Set(commandNames)].join(' ')} " in
      *" $word "*) path="\${path:+$path }$word" ;;
    esac
  done
  case "$path" in
${cases}
    *) words="" ;;
  esac
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
complete -F _funkctl_complete funkctl
`
}

/**
 * The completion script for `shell`, built from the commands and options
 * funkctl has: `source <(funkctl completion bash)`, or for zsh
 * `source <(funkctl completion zsh)` (it loads zsh's bashcompinit).
 * @throws UsageError for another shell
 */
export function completionScript (root: Command, shell: string): string {
  if (shell === 'bash') return bashFunction(root)
  if (shell === 'zsh') return `#compdef funkctl\nautoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n${bashFunction(root)}`
  throw new UsageError(`completion is for ${COMPLETION_SHELLS.join(' or ')}, not "${shell}"`)
}
