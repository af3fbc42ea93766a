#!/usr/bin/env bash
# System check of @clusterfunk/cluster's zeroconf against avahi.
#
# Everything runs in private network, mount and PID namespaces: multicast
# never leaves the machine (the only interface is lo), /run/dbus and
# /run/avahi-daemon are private tmpfs mounts, and every process started
# inside dies with the namespace. Inside: a system dbus-daemon, an
# avahi-daemon on lo, and dist/system/zeroconf-check.js, which checks our
# Zeroconf against avahi-browse and avahi-publish.
#
# Usage (root; after `npm ci && npm run build`): bash packages/cluster/system/zeroconf-check.sh
# Exit 0 only when every check passed.
set -euo pipefail
CHECK_NAME=zeroconf-check
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROGRAM="$HERE/../dist/system/zeroconf-check.js"
# shellcheck source=lib.sh
. "$HERE/lib.sh"

if [ "${1:-}" != "--inside" ]; then
  started=$(date +%s)
  preflight "network namespaces, a system dbus and avahi-daemon"
  ensure_packages avahi-daemon avahi-utils dbus iproute2 -- avahi-daemon avahi-browse avahi-publish dbus-daemon ip
  ensure_namespaces
  mkdir -p /run/dbus /run/avahi-daemon   # mount points for the private tmpfs mounts
  rc=0
  timeout --kill-after=5 150 unshare --net --mount --pid --fork --mount-proc --propagation private bash "$0" --inside || rc=$?
  [ $rc = 124 ] && say "FAIL the check did not finish within 150 s"
  if [ $rc = 0 ]; then say "PASSED: every zeroconf check passed in $(( $(date +%s) - started )) s"
  else say "FAILED (exit $rc) after $(( $(date +%s) - started )) s"; fi
  exit $rc
fi

# ---- inside the namespaces (PID 1 of the new PID namespace) ----
WORK=$(mktemp -d /tmp/clusterfunk-zeroconf.XXXXXX)
DBUS_PID='' AVAHI_PID=''
cleanup () {
  stop_pid "$AVAHI_PID"
  stop_pid "$DBUS_PID"
  rm -rf "$WORK"
}
trap cleanup EXIT

ip link set lo up
ip link set lo multicast on
ip route add 224.0.0.0/4 dev lo
mount -t tmpfs -o mode=0755 tmpfs /run/dbus
mount -t tmpfs -o mode=0755 tmpfs /run/avahi-daemon
say "network namespace: $(ip -o link | awk -F': ' '{print $2}' | tr '\n' ' ')— route $(ip route show 224.0.0.0/4)"

# avahi ignores loopback unless told: allow-interfaces=lo is enough for 0.8 (it joins the
# group on lo, which has MULTICAST set above); IPv6 is off because lo has no link-local address.
cat > "$WORK/avahi-daemon.conf" <<CONF
[server]
host-name=cfcheck
domain-name=local
use-ipv4=yes
use-ipv6=no
allow-interfaces=lo
enable-dbus=yes
ratelimit-interval-usec=1000000
ratelimit-burst=1000
[wide-area]
enable-wide-area=no
[publish]
publish-hinfo=no
publish-workstation=no
publish-addresses=yes
[reflector]
enable-reflector=no
[rlimits]
CONF

DBUS_PID=$(dbus-daemon --system --fork --print-pid)
wait_until 10 "the system bus socket" test -S /run/dbus/system_bus_socket || exit 1
say "dbus-daemon running (pid $DBUS_PID)"

avahi-daemon --no-chroot --no-drop-root --no-rlimits -f "$WORK/avahi-daemon.conf" >"$WORK/avahi.log" 2>&1 &
AVAHI_PID=$!
if ! wait_until 20 "avahi-daemon startup" grep -q 'Server startup complete' "$WORK/avahi.log"; then
  cat "$WORK/avahi.log"; exit 1
fi
say "avahi-daemon running (pid $AVAHI_PID): $(grep -E 'Joining mDNS|Server startup' "$WORK/avahi.log" | tr '\n' ' ')"

rc=0
AVAHI_HOST=cfcheck.local timeout --kill-after=5 100 node "$PROGRAM" || rc=$?
if [ $rc = 124 ] || [ $rc = 137 ]; then
  say "FAIL the node program did not exit on its own after stop() (killed after 100 s)"
  exit 1
fi
[ $rc = 0 ] && say "PASS the node program exited on its own after stop()"
exit $rc
