#!/usr/bin/env bash
# Installs Debian's redis-tools (redis-cli, redis-benchmark) when they are
# missing, through the project's apt helper (services kept from starting).
# The machine tests and examples run it before they use redis-cli.
set -euo pipefail
CHECK_NAME=redis-tools
# shellcheck source=../../cluster/system/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../../cluster/system/lib.sh"
ensure_packages redis-tools -- redis-cli redis-benchmark
