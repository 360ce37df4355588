#!/usr/bin/env bash
# build-native.sh — builds swarmts-runtime, swarmts-monitor and swarmts-dns (runtime-native/build/),
# installing the C build's Debian packages first when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! pkg-config --exists libseccomp json-c 2>/dev/null || ! command -v gcc >/dev/null || ! command -v make >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends gcc make pkg-config libseccomp-dev libjson-c-dev
fi
make -s -C runtime-native
