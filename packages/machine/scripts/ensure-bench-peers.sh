#!/usr/bin/env bash
# Installs the benchmark's peers when they are missing: Debian's etcd-server
# and etcd-client (a 3-member etcd 3.4) and redis-server (one durable Redis),
# through the project's apt helper (services kept from starting).
# The benchmark runs it before it starts anything.
set -euo pipefail
CHECK_NAME=machine-bench
# shellcheck source=../../cluster/system/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../../cluster/system/lib.sh"
ensure_packages redis-tools -- redis-cli redis-benchmark
ensure_packages etcd-server etcd-client -- etcd etcdctl
ensure_packages redis-server -- redis-server
