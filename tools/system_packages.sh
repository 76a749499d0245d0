#!/usr/bin/env bash
# Install the Debian packages the tests and the demo need, only those missing, quietly.
# The one list for .ci/run, `make test` and `make demo`: headless Chromium (browser tests),
# libmagic (AppInspect), libfaketime + gcc (child processes on the simulator's clock, whose
# small preload shim is compiled on first use), make. When it cannot install (not root, no
# apt-get), it stops at once with one line naming the command to run.
set -euo pipefail
packages=(chromium libmagic1 faketime libfaketime make gcc libc6-dev)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
command="apt-get install -y --no-install-recommends ${missing[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system packages missing and no apt-get here: install the equivalents of: ${missing[*]}" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "system packages missing: run 'sudo $command', then try again" >&2
  exit 1
fi
echo "installing system packages: ${missing[*]}" >&2
{
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $command -qq
} >/tmp/ta-thousandeyes-apt.log 2>&1 || {
  echo "installing system packages failed (log: /tmp/ta-thousandeyes-apt.log); run '$command'" >&2
  exit 1
}
