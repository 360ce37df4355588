#!/usr/bin/env bash
# bench/failover/run.sh [etcd|swarmts|both] — raft leader failover and small-write latency and
# throughput of etcd 3.4 (Debian's etcd-server) and swarmts, one after the other on the same
# three network-namespace hosts in one run. Per system: a fresh 3-member cluster, ROUNDS (5)
# rounds of kill -9 of the leader until the next write succeeds (the victim is restarted
# between rounds), then SEQUENTIAL (1000) writes one at a time and CONCURRENCY (32) in flight
# for CONCURRENT_S (10) seconds through the leader. Last line:
#   {"swarmts_failover_ms":…,"etcd_failover_ms":…,"ratio":…,"swarmts_write_ms":…,"etcd_write_ms":…,
#    "swarmts_writes_per_s":…,"etcd_writes_per_s":…}
# (medians; ratio = swarmts / etcd failover; null = not measured, see the lines above it).
# Env: FO_FAULT=process (kill -9 of the leader's process, the default) or host (its host's
# link goes down first, then the kill: no connection reset reaches the survivors);
# ETCD_HB_MS (100) and ETCD_ET_MS (1000), etcd's heartbeat and election timeout (its
# defaults, and swarmts's raft timing); SETTLE_S (3); FO_PREFIX (fo) and FO_SUBNET (210);
# FO_KEEP_LOGS=1 keeps the logs; ATTEMPT_INTERVAL_MS (50), ATTEMPT_TIMEOUT_MS (1000) and
# ATTEMPTS_MAX (20 per survivor) shape the failover write attempts (see measure.ts);
# SEQUENTIAL (1000), CONCURRENCY (32), CONCURRENT_S (10) the write phases; FO_CPU_PROF_DIR=DIR
# writes each swarmts daemon's CPU profile there (node --cpu-prof; daemons that exit cleanly); ETCD3_DIR where
# the etcd3 npm client is installed (/var/cache/swarmts-bench/etcd3). Needs root. See README.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
which_half=${1:-both}
case $which_half in etcd|swarmts|both) ;; *) echo "usage: run.sh [etcd|swarmts|both]" >&2; exit 2 ;; esac
rounds=${ROUNDS:-5}
[[ $rounds =~ ^[0-9]+$ ]] && (( rounds >= 1 )) || { echo "bench: ROUNDS=$rounds: expected a positive integer" >&2; exit 2; }
(( EUID == 0 )) || { echo "bench: needs root (network namespaces)" >&2; exit 1; }
export MB_PREFIX=${FO_PREFIX:-fo} MB_SUBNET=${FO_SUBNET:-210}
etcd3_dir=${ETCD3_DIR:-/var/cache/swarmts-bench/etcd3}

missing=(); for tool in etcd:etcd-server etcdctl:etcd-client jq:jq; do command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}"); done
if (( ${#missing[@]} )); then
  echo "bench: installing ${missing[*]} from apt" >&2
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 apt-get install -y --no-install-recommends "${missing[@]}" >&2 \
    || { timeout 300 apt-get update >&2 && timeout 600 apt-get install -y --no-install-recommends "${missing[@]}" >&2; }
fi
# etcd's Node client is not a dependency of swarmts: it lives in its own folder.
if [[ $which_half != swarmts && ! -d $etcd3_dir/node_modules/etcd3 ]]; then
  echo "bench: installing the etcd3 npm client into $etcd3_dir" >&2
  mkdir -p "$etcd3_dir"
  (cd "$etcd3_dir" && timeout 300 npm install --no-audit --no-fund --prefix . etcd3@1.1.2 >&2)
fi
if [[ $which_half != etcd ]]; then
  # tsc rewrites only changed outputs, but its build info on every build: that dates dist/.
  built=$repo/dist/.tsbuildinfo; [[ -f $built ]] || built=$repo/dist/src/main.js
  if [[ ! -f $repo/dist/src/main.js || ! -f $built || -n $(find "$repo/src" -name '*.ts' -newer "$built" -print -quit) ]]; then
    echo "bench: dist/ is older than src/: npx tsc -p tsconfig.json" >&2
    (cd "$repo" && timeout 600 npx tsc -p tsconfig.json >&2) || echo "bench: the build reported errors; measuring what dist/ holds" >&2
  fi
fi

work=$(mktemp -d /tmp/swarmts-bench-failover.XXXXXX)
half=''
cleanup() {
  # `timeout` leads its own process group: end the half that runs, with everything it started.
  [[ -n $half ]] && kill -TERM -- "-$half" 2>/dev/null && sleep 2
  "$here/../membership/netns.sh" down 3
  if [[ ${FO_KEEP_LOGS:-0} == 1 ]]; then echo "bench: logs kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
"$here/../membership/netns.sh" up 3

# A half: cluster start (<= 1 min), rounds (<= 1.5 min each), writes (<= 2.5 min).
half_s=$(( 60 + rounds * 90 + 150 ))
run_half() { # system -> its JSON in $work/<system>.json
  local system=$1
  echo "bench: $system: load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  mkdir -p "$work/$system"
  (cd "$repo" && exec timeout -k 10 "$half_s" npx tsx "$here/bench.ts" --system "$system" --work-dir "$work/$system" \
    --prefix "$MB_PREFIX" --subnet "$MB_SUBNET" --rounds "$rounds" --fault "${FO_FAULT:-process}" --settle-s "${SETTLE_S:-3}" \
    --sequential "${SEQUENTIAL:-1000}" --concurrency "${CONCURRENCY:-32}" --concurrent-s "${CONCURRENT_S:-10}" \
    --attempt-interval-ms "${ATTEMPT_INTERVAL_MS:-50}" --attempt-timeout-ms "${ATTEMPT_TIMEOUT_MS:-1000}" --attempts-max "${ATTEMPTS_MAX:-20}" \
    --etcd-module "$etcd3_dir" --etcd-hb-ms "${ETCD_HB_MS:-100}" --etcd-et-ms "${ETCD_ET_MS:-1000}") > "$work/out" 2>&1 & half=$!
  wait "$half" || true; half=''
  grep -v '^{' "$work/out" || true
  tail -1 "$work/out" | grep '^{' > "$work/$system.json" || echo '{}' > "$work/$system.json"
  echo "$system: $(cat "$work/$system.json")"
}
echo '{}' > "$work/etcd.json"; echo '{}' > "$work/swarmts.json"
[[ $which_half == swarmts ]] || run_half etcd
[[ $which_half == etcd ]] || run_half swarmts

jq -n -c --slurpfile e "$work/etcd.json" --slurpfile s "$work/swarmts.json" '
  def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  def r1: if . == null then null else . * 10 | round / 10 end;
  ($e[0]) as $e | ($s[0]) as $s
  | (($s.failover_ms // []) | median) as $sf | (($e.failover_ms // []) | median) as $ef
  | {swarmts_failover_ms: ($sf | r1), etcd_failover_ms: ($ef | r1),
     ratio: (if $sf == null or $ef == null or $ef == 0 then null else $sf / $ef * 100 | round / 100 end),
     swarmts_write_ms: $s.write_ms, etcd_write_ms: $e.write_ms,
     swarmts_writes_per_s: $s.writes_per_s, etcd_writes_per_s: $e.writes_per_s}'
