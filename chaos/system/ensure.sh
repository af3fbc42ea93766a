#!/usr/bin/env bash
# ensure.sh <apt package>... -- <command>...: installs the Debian packages the
# chaos benchmark needs (iptables for loss, stress-ng for CPU pressure) when a
# command is missing, through the system checks' ensure_packages.
set -euo pipefail
CHECK_NAME=chaos
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../../packages/cluster/system/lib.sh
. "$HERE/../../packages/cluster/system/lib.sh"
ensure_packages "$@"
