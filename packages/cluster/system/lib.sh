# Shared by the system checks. Sourced, not run.

# say <msg>: one line on stdout, prefixed with the check's name.
say () { printf '%s %s\n' "[$CHECK_NAME]" "$*"; }

# die <msg>: a clear error and exit 2 (the check could not run at all).
die () { say "ERROR: $*" >&2; exit 2; }

# ensure_packages <apt package>... -- <command>...
# Installs the packages when one of the commands is missing: as root with
# apt-get, with services kept from starting on the host (policy-rc.d 101),
# so nothing an install starts talks to the real network. Not root: error.
# Checks what every check needs before it starts: its compiled program,
# node, and root (the reason says what root is for).
preflight () {
  [ -f "$PROGRAM" ] || die "$PROGRAM not found: build first (npm run build)"
  command -v node >/dev/null || die "node not found"
  [ "$(id -u)" = 0 ] || die "needs root ($1)"
}

ensure_packages () {
  local packages=() commands=() missing=() c
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do packages+=("$1"); shift; done
  shift
  commands=("$@")
  for c in "${commands[@]}"; do command -v "$c" >/dev/null 2>&1 || missing+=("$c"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    die "missing ${missing[*]}; install the Debian packages ${packages[*]} (as root: apt-get install -y ${packages[*]})"
  fi
  say "installing ${packages[*]} (missing: ${missing[*]})"
  local policy=/usr/sbin/policy-rc.d made_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy" && made_policy=1
  fi
  local rc=0
  { DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q --no-install-recommends "${packages[@]}" >/tmp/clusterfunk-apt.log 2>&1 ||
    { timeout 300 apt-get update -q >>/tmp/clusterfunk-apt.log 2>&1 &&
      DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q --no-install-recommends "${packages[@]}" >>/tmp/clusterfunk-apt.log 2>&1; }; } || rc=$?
  [ $made_policy = 1 ] && rm -f "$policy"
  [ $rc = 0 ] && rm -f /tmp/clusterfunk-apt.log
  [ $rc = 0 ] || { tail -20 /tmp/clusterfunk-apt.log >&2; die "apt-get install ${packages[*]} failed (log: /tmp/clusterfunk-apt.log)"; }
  for c in "${commands[@]}"; do command -v "$c" >/dev/null 2>&1 || die "$c still missing after installing ${packages[*]}"; done
}

# wait_until <seconds> <what> <command...>: runs the command every 0.1 s until it succeeds; dies after <seconds>.
wait_until () {
  local limit=$1 what=$2 deadline
  shift 2
  deadline=$(( $(date +%s) + limit ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || { say "FAIL timed out after ${limit} s waiting for $what"; return 1; }
    sleep 0.1
  done
}

# stop_pid <pid>: SIGTERM, then SIGKILL after 5 s; returns once it is gone.
stop_pid () {
  local pid=$1 i
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

# ensure_namespaces: dies with a clear message when this machine cannot make the namespaces the checks run in.
ensure_namespaces () {
  command -v unshare >/dev/null || die "needs unshare (util-linux)"
  unshare --net --mount --pid --fork --mount-proc true 2>/dev/null ||
    die "cannot create network/mount/PID namespaces (needs root with CAP_SYS_ADMIN; in a container run it --privileged)"
}
