#!/usr/bin/env bash
# Installs Debian's chromium when /usr/bin/chromium is missing (the status
# page's browser test drives it through playwright-core). Needs root and apt.
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: /usr/bin/chromium is missing; install Debian's chromium (as root: apt-get update && apt-get install -y chromium)" >&2
  exit 2
fi
echo "install-chromium: installing Debian's chromium" >&2
export DEBIAN_FRONTEND=noninteractive
timeout 300 apt-get update -q >/tmp/clusterfunk-chromium-apt.log 2>&1
timeout 900 apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core >>/tmp/clusterfunk-chromium-apt.log 2>&1 ||
  { echo "install-chromium: apt-get failed, see /tmp/clusterfunk-chromium-apt.log" >&2; exit 2; }
[ -x /usr/bin/chromium ] || { echo "install-chromium: chromium installed but /usr/bin/chromium is missing" >&2; exit 2; }
