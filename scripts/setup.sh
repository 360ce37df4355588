#!/usr/bin/env bash
# setup.sh — installs and builds everything swarmts needs, on Debian 12 / Ubuntu 24.04, as
# root, with Node.js >= 20 already there. Idempotent: a second run only checks.
#   apt packages (C build deps, busybox-static, the OCI registry, crun/runc for the contract
#   tests, nftables, iproute2), npm packages, the C runtime, the TypeScript build, and the
#   busybox test image (an OCI layout under build/images/busybox).
set -euo pipefail
cd "$(dirname "$0")/.."

[ "$(id -u)" = 0 ] || { echo "setup.sh: run as root (swarmts manages namespaces, cgroups and mounts)" >&2; exit 1; }
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[ "$node_major" -ge 20 ] || { echo "setup.sh: Node.js >= 20 is required (found: $(node --version 2>/dev/null || echo none))" >&2; exit 1; }

packages=(gcc make pkg-config libseccomp-dev libjson-c-dev busybox-static docker-registry
          crun runc nftables iproute2 iputils-ping curl attr tar gzip zstd util-linux jq
          apache2-utils openssl tmux)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # docker-registry's postinst tries to start a service; without systemd that fails harmlessly
  apt-get install -y -q --no-install-recommends "${missing[@]}" || apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

bash scripts/build-native.sh
npx tsc -p tsconfig.json
bash scripts/build-busybox-image.sh build/images/busybox

# `swarmts` on the PATH, running this checkout's build.
cat > /usr/local/bin/swarmts <<SH
#!/bin/sh
exec node "$(pwd)/dist/src/main.js" "\$@"
SH
chmod 755 /usr/local/bin/swarmts
