#!/usr/bin/env bash
# System check of @clusterfunk/cluster's metrics against a real Prometheus.
#
# Runs in private network, mount and PID namespaces (only lo exists; every
# process started inside dies with the namespace): dist/system/prometheus-check.js
# starts liveness components reporting through PromMetrics with a MetricsServer
# on 127.0.0.1 and a three-node Cluster serving /metrics on every node, then a
# Prometheus (Debian's package) scraping both every second with its storage in
# a temp dir, and queries Prometheus' HTTP API until `up == 1` and every
# expected series has samples.
#
# Usage (root; after `npm ci && npm run build`): bash packages/cluster/system/prometheus-check.sh
# Exit 0 only when every check passed.
set -euo pipefail
CHECK_NAME=prometheus-check
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROGRAM="$HERE/../dist/system/prometheus-check.js"
# shellcheck source=lib.sh
. "$HERE/lib.sh"

if [ "${1:-}" != "--inside" ]; then
  started=$(date +%s)
  preflight "network namespaces; installing prometheus"
  ensure_packages prometheus iproute2 -- prometheus ip
  ensure_namespaces
  say "$(prometheus --version 2>&1 | head -1)"
  rc=0
  timeout --kill-after=5 150 unshare --net --mount --pid --fork --mount-proc --propagation private bash "$0" --inside || rc=$?
  [ $rc = 124 ] && say "FAIL the check did not finish within 150 s"
  if [ $rc = 0 ]; then say "PASSED: every prometheus check passed in $(( $(date +%s) - started )) s"
  else say "FAILED (exit $rc) after $(( $(date +%s) - started )) s"; fi
  exit $rc
fi

# ---- inside the namespaces (PID 1 of the new PID namespace) ----
ip link set lo up
rc=0
PROMETHEUS_PORT=9090 timeout --kill-after=5 120 node "$PROGRAM" || rc=$?
if [ $rc = 124 ] || [ $rc = 137 ]; then
  say "FAIL the node program did not exit on its own after stopping everything (killed after 120 s)"
  exit 1
fi
[ $rc = 0 ] && say "PASS the node program exited on its own after stopping everything"
exit $rc
