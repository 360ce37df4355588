#!/usr/bin/env bash
# build-busybox-image.sh OUT_DIR [--tar FILE] [--reference NAME] [--push HOST/REPO:TAG]
# Builds the busybox test image (Debian's busybox-static, applet links, /etc/passwd with
# root and nobody, /tmp 1777, Cmd ["sh"]) as an OCI layout in OUT_DIR and as a tar of it
# (default OUT_DIR.tar), and optionally pushes it to a registry (credentials from
# REGISTRY_USER and REGISTRY_PASSWORD when set). Needs busybox-static, tar and npm's tsx.
# The work is done by src/runtime/image/busybox-cli.ts.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[ -x /bin/busybox ] || { echo "build-busybox-image.sh: /bin/busybox is missing (apt package busybox-static)" >&2; exit 1; }
exec "$root/node_modules/.bin/tsx" "$root/src/runtime/image/busybox-cli.ts" "$@"
