#!/usr/bin/env bash
# registry.sh start PORT DIR [USER:PASSWORD] | stop DIR
# Runs Debian's distribution registry (docker-registry) on 127.0.0.1:PORT in the background
# with its data, config, log and pid file under DIR; with USER:PASSWORD it requires htpasswd
# basic auth (needs htpasswd from apache2-utils). `stop` ends that registry, by its pid file.
set -euo pipefail

usage() { echo "usage: registry.sh start PORT DIR [USER:PASSWORD] | registry.sh stop DIR" >&2; exit 2; }

start() {
  local port=$1 dir=$2 creds=${3:-}
  [[ "$port" =~ ^[0-9]+$ ]] || usage
  command -v docker-registry >/dev/null || { echo "registry.sh: docker-registry is missing (apt package docker-registry)" >&2; exit 1; }
  mkdir -p "$dir/data"
  dir=$(cd "$dir" && pwd)
  if [ -f "$dir/registry.pid" ] && kill -0 "$(cat "$dir/registry.pid")" 2>/dev/null; then
    echo "registry.sh: a registry already runs from $dir (pid $(cat "$dir/registry.pid"))" >&2; exit 1
  fi
  local auth=""
  if [ -n "$creds" ]; then
    htpasswd -Bbc "$dir/htpasswd" "${creds%%:*}" "${creds#*:}" 2>/dev/null
    auth=$'auth:\n  htpasswd:\n    realm: swarmts\n    path: '"$dir/htpasswd"
  fi
  cat > "$dir/config.yml" <<YML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
$auth
YML
  setsid docker-registry serve "$dir/config.yml" >> "$dir/registry.log" 2>&1 < /dev/null &
  echo $! > "$dir/registry.pid"
  for _ in $(seq 100); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/" || true)
    if [ "$code" = 200 ] || [ "$code" = 401 ]; then echo "registry on 127.0.0.1:$port (data in $dir)"; return 0; fi
    kill -0 "$(cat "$dir/registry.pid")" 2>/dev/null || break
    sleep 0.1
  done
  echo "registry.sh: the registry did not come up on 127.0.0.1:$port; see $dir/registry.log" >&2
  stop "$dir"
  exit 1
}

stop() {
  local dir=$1 pid
  [ -f "$dir/registry.pid" ] || { echo "registry.sh: no registry.pid in $dir" >&2; return 0; }
  pid=$(cat "$dir/registry.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$dir/registry.pid"
  echo "registry stopped"
}

case "${1:-}" in
  start) [ $# -ge 3 ] || usage; start "$2" "$3" "${4:-}" ;;
  stop) [ $# -ge 2 ] || usage; stop "$2" ;;
  *) usage ;;
esac
