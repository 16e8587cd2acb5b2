#!/usr/bin/env bash
# Installs the Debian 12 packages renkei needs, or says exactly what to run.
# Usage: scripts/deps.sh [build|test|bench|fuzz]   (each level includes the ones before it)
set -euo pipefail
level=${1:-build}
pkgs=(gcc make cmake pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev libsodium-dev)
case "$level" in
  build) ;;
  test)  pkgs+=(libcmocka-dev libcurl4-openssl-dev) ;;
  bench) pkgs+=(libcmocka-dev libcurl4-openssl-dev wrk curl) ;;
  fuzz)  pkgs+=(libcmocka-dev libcurl4-openssl-dev clang libclang-rt-14-dev) ;;
  *) echo "usage: $0 [build|test|bench|fuzz]" >&2; exit 2 ;;
esac
# The test level always needs cmocka and libcurl because CMake configures the tests too.
[[ $level == build ]] && pkgs+=(libcmocka-dev libcurl4-openssl-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
if [[ $(id -u) -eq 0 ]]; then
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "deps: missing Debian packages: ${missing[*]}" >&2
  echo "deps: run this, then try again:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
