#!/usr/bin/env bash
# quickstart.sh — a one-node swarmts on this machine, running an example you can curl.
# Installs what it needs (scripts/setup.sh), starts the daemon in the background (state in
# /var/lib/swarmts, log in /var/log/swarmts.log), makes it a one-node cluster (`swarmts init`
# on 127.0.0.1:7946, once), imports the busybox test image, deploys the example stack
# (examples/web/stack.yml: three busybox httpd replicas with a health check, published on
# port 8080 of every address of the machine by the routing mesh, and a client that fetches
# the page through the service's name).
# Stop it all with: scripts/quickstart.sh stop (it also leaves the cluster, which removes the
# bridge swt0, the VXLAN device and the nftables tables the daemon made).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
swarmts() { node "$root/dist/src/main.js" "$@"; }

if [ "${1:-}" = stop ]; then
  swarmts stack rm web >/dev/null 2>&1 && sleep 12 || true
  swarmts leave --force >/dev/null 2>&1 || true
  pkill -TERM -f "dist/src/main.js daemon" || true
  echo "stopped"
  exit 0
fi

bash scripts/setup.sh

if ! swarmts container ls >/dev/null 2>&1; then
  setsid node "$root/dist/src/main.js" daemon >> /var/log/swarmts.log 2>&1 < /dev/null &
  for _ in $(seq 100); do swarmts container ls >/dev/null 2>&1 && break; sleep 0.1; done
  swarmts container ls >/dev/null || { echo "the daemon did not start; see /var/log/swarmts.log" >&2; exit 1; }
fi

swarmts node ls >/dev/null 2>&1 || swarmts init --listen-addr 127.0.0.1:7946 >/dev/null
swarmts image import build/images/busybox.tar --reference busybox:latest
swarmts stack deploy -c examples/web/stack.yml --timeout 2m web
for _ in $(seq 50); do curl -fsS http://127.0.0.1:8080/ >/dev/null 2>&1 && break; sleep 0.2; done

cat <<MSG

swarmts is running. Try:
  curl http://127.0.0.1:8080/
  swarmts node ls
  swarmts stack services web
  swarmts service ps web_web
  swarmts service logs web_web
  swarmts service logs web_client
  swarmts dns lookup tasks.web.web
  swarmts container ls
  bash scripts/quickstart.sh stop
MSG
