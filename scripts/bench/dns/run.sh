#!/usr/bin/env bash
# bench/dns/run.sh [SECONDS] — queries/s of swarmts's DNS server and of dnsmasq answering the same
# 50 service names (a synthetic view of 50 services × 5 tasks; dnsmasq reads the same names from a
# hosts file), each loaded by dnsperf on this machine with the peers' flags (4 clients, at most
# 200,000 q/s), SECONDS each in total (default 10), split over ROUNDS rounds (env, default 2) that
# alternate which server goes first, so load from other work drifts onto both alike. dnsmasq
# listens on 127.0.0.53:5353, swarmts on 127.0.0.54:5354. dnsperf and dnsmasq are installed from
# apt if missing. Prints dnsperf's summary per round, then one line
#   {"swarmts_qps":…,"dnsmasq_qps":…,"ratio":…,"udp_workers":…,"udp_frontend":…}
# (queries/s over all rounds; ratio = swarmts / dnsmasq, above 1 means swarmts answers more).
# Env: DNS_UDP_WORKERS (default 0, as the daemon runs) helper processes of swarmts's server
# (DnsServerConfig.udpWorkers; they pay off only when a core is idle, which dnsperf leaves none of here);
# DNS_UDP_FRONTEND (default native: swarmts-dns, built here if missing, reads UDP and answers repeated
# questions from its cache; node: Node reads UDP, and only then may DNS_UDP_WORKERS be above 0);
# DNS_BENCH_KEEP=1 keeps the scratch directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
seconds=${1:-10}
rounds=${ROUNDS:-2}
workers=${DNS_UDP_WORKERS:-0}
frontend=${DNS_UDP_FRONTEND:-native}
[[ $seconds =~ ^[0-9]+$ ]] && (( seconds >= 1 && seconds <= 300 )) || { echo "bench: SECONDS=$seconds: expected an integer in 1..300" >&2; exit 2; }
[[ $rounds =~ ^[0-9]+$ ]] && (( rounds >= 1 && rounds <= seconds )) || { echo "bench: ROUNDS=$rounds: expected an integer in 1..SECONDS" >&2; exit 2; }
[[ $workers =~ ^[0-9]+$ ]] && (( workers <= 16 )) || { echo "bench: DNS_UDP_WORKERS=$workers: expected an integer in 0..16" >&2; exit 2; }
[[ $frontend == native || $frontend == node ]] || { echo "bench: DNS_UDP_FRONTEND=$frontend: expected native or node" >&2; exit 2; }
[[ $frontend == node ]] || (( workers == 0 )) || { echo "bench: DNS_UDP_WORKERS=$workers needs DNS_UDP_FRONTEND=node" >&2; exit 2; }
round_s=$(( seconds / rounds ))
if [[ $frontend == native && ! -x $repo/runtime-native/build/swarmts-dns ]]; then
  echo "bench: building swarmts-dns" >&2
  make -s -C "$repo/runtime-native" build/swarmts-dns >&2
fi

missing=(); command -v dnsperf >/dev/null || missing+=(dnsperf); command -v dnsmasq >/dev/null || missing+=(dnsmasq-base)
if (( ${#missing[@]} )); then
  echo "bench: installing ${missing[*]} from apt" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${missing[@]}" >&2 \
    || { apt-get update >&2 && apt-get install -y --no-install-recommends "${missing[@]}" >&2; }
fi

work=$(mktemp -d /tmp/swarmts-bench-dns.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ ${DNS_BENCH_KEEP:-0} == 1 ]]; then echo "bench: scratch kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# swarmts first: it writes the hosts and query files that dnsmasq then serves.
(cd "$repo" && exec node --import tsx "$here/serve.ts" 127.0.0.54 5354 "$work" "$workers" "$frontend") > "$work/swarmts.out" 2> "$work/swarmts.err" &
pids+=($!)
for _ in $(seq 1 1200); do grep -q '^listening' "$work/swarmts.out" 2>/dev/null && break; sleep 0.1; done
grep -q '^listening' "$work/swarmts.out" || { echo "bench: swarmts's DNS did not start within 120 s:" >&2; cat "$work/swarmts.err" >&2; exit 1; }

dnsmasq --no-daemon --no-resolv --no-hosts --addn-hosts="$work/hosts" --listen-address=127.0.0.53 \
  --bind-interfaces --port=5353 --cache-size=1000 > "$work/dnsmasq.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do grep -q 'read .*hosts' "$work/dnsmasq.log" && break; sleep 0.1; done
grep -q 'read .*hosts' "$work/dnsmasq.log" || { echo "bench: dnsmasq did not read its hosts file within 10 s:" >&2; cat "$work/dnsmasq.log" >&2; exit 1; }

# measure NAME ADDRESS PORT: dnsperf's summary lines on stderr, queries completed on stdout.
measure() {
  local out
  out=$(timeout $(( round_s + 30 )) dnsperf -s "$2" -p "$3" -d "$work/queries.txt" -l "$round_s" -c 4 -Q 200000)
  echo "$out" | grep -E 'Queries (completed|lost)|Queries per second|Average Latency' | sed "s/^/$1 round $round: /" >&2
  echo "$out" | awk '/Queries completed/ { print $3 }'
}
swarmts_n=0; dnsmasq_n=0
for round in $(seq 1 "$rounds"); do
  if (( round % 2 )); then
    dnsmasq_n=$(( dnsmasq_n + $(measure dnsmasq 127.0.0.53 5353) ))
    swarmts_n=$(( swarmts_n + $(measure swarmts 127.0.0.54 5354) ))
  else
    swarmts_n=$(( swarmts_n + $(measure swarmts 127.0.0.54 5354) ))
    dnsmasq_n=$(( dnsmasq_n + $(measure dnsmasq 127.0.0.53 5353) ))
  fi
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done
awk -v s="$swarmts_n" -v d="$dnsmasq_n" -v t="$(( round_s * rounds ))" -v w="$workers" -v f="$frontend" \
  'BEGIN { printf "{\"swarmts_qps\":%.0f,\"dnsmasq_qps\":%.0f,\"ratio\":%.3f,\"udp_workers\":%d,\"udp_frontend\":\"%s\"}\n", s / t, d / t, (d > 0 ? s / d : 0), w, f }'
