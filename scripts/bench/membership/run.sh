#!/usr/bin/env bash
# bench/membership/run.sh [N...] — membership join convergence and failure detection of
# HashiCorp Serf (LAN profile) and swarmts, one after the other on the same N network-namespace
# hosts in one run, ROUNDS fresh clusters each (env, default 5). Default N: 10 and 20.
# Serf is installed from apt if missing; dist/ is rebuilt if a source file is newer.
# Per N it prints one line per round of each system, then
#   {"n":N,"join_converge_ratio":…,"fail_detect_ratio":…,"serf_join_s":…,"swarmts_join_s":…,
#    "serf_detect_s":…,"swarmts_detect_s":…,"false_positives":…}
# (medians in seconds; ratios = swarmts / Serf, below 1 means swarmts is faster; false_positives
# counts swarmts's); the last line is the JSON of the last N. A figure that could not be measured
# is null. Env: SETTLE_S (5) seconds between convergence and the kill; MB_JOIN=sequential|parallel
# (swarmts's joins one after another, or all at once as Serf's agents start); MB_PREFIX and
# MB_SUBNET (names and 10.99.X.0/24 of the hosts); MB_KEEP_LOGS=1 keeps the logs. See README.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
rounds=${ROUNDS:-5}
ns=("$@"); (( ${#ns[@]} )) || ns=(10 20)
for n in "${ns[@]}"; do
  [[ $n =~ ^[0-9]+$ ]] && (( n >= 3 && n <= 200 )) || { echo "bench: N=$n: expected an integer in 3..200" >&2; exit 2; }
done
[[ $rounds =~ ^[0-9]+$ ]] && (( rounds >= 1 )) || { echo "bench: ROUNDS=$rounds: expected a positive integer" >&2; exit 2; }
(( rounds >= 5 )) || echo "bench: ROUNDS=$rounds: medians of fewer than 5 rounds are noisy" >&2
export MB_PREFIX=${MB_PREFIX:-mbr} MB_SUBNET=${MB_SUBNET:-213}
(( EUID == 0 )) || { echo "bench: needs root (network namespaces)" >&2; exit 1; }

missing=(); for tool in serf jq; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if (( ${#missing[@]} )); then
  echo "bench: installing ${missing[*]} from apt" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${missing[@]}" >&2 \
    || { apt-get update >&2 && apt-get install -y --no-install-recommends "${missing[@]}" >&2; }
fi
# tsc rewrites only changed outputs, but its build info on every build: that dates dist/.
built=$repo/dist/.tsbuildinfo; [[ -f $built ]] || built=$repo/dist/src/main.js
if [[ ! -f $repo/dist/src/main.js || ! -f $built || -n $(find "$repo/src" -name '*.ts' -newer "$built" -print -quit) ]]; then
  echo "bench: dist/ is older than src/: npx tsc -p tsconfig.json" >&2
  (cd "$repo" && timeout 600 npx tsc -p tsconfig.json >&2) || echo "bench: the build reported errors; measuring what dist/ holds" >&2
fi

max=0; for n in "${ns[@]}"; do (( n > max )) && max=$n; done
work=$(mktemp -d /tmp/swarmts-bench-membership.XXXXXX)
half=''
cleanup() {
  # `timeout` leads its own process group: end the half that runs, with everything it started.
  [[ -n $half ]] && kill -TERM -- "-$half" 2>/dev/null
  "$here/netns.sh" down "$max"
  if [[ ${MB_KEEP_LOGS:-0} == 1 ]]; then echo "bench: logs kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
"$here/netns.sh" up "$max"

settle=${SETTLE_S:-5}
# Every wait inside a round is bounded (60 s each); this bounds one round of one system.
round_s=$(( 2 * 60 + settle + 90 ))
for n in "${ns[@]}"; do
  # Rounds alternate, Serf then swarmts, so that load from other work on this machine, which
  # drifts over minutes, falls on both alike. It slows swarmts's N Node daemons more than
  # Serf's Go agents: the load average is printed with every round.
  : > "$work/serf-n$n.json"; : > "$work/swarmts-n$n.json"
  for r in $(seq 1 "$rounds"); do
    echo "bench: n=$n round $r: load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
    # Each half prints its round's line, then its JSON, which is kept for the medians below.
    SETTLE_S=$settle timeout -k 10 "$round_s" "$here/serf.sh" "$n" 1 "$work" "$r" > "$work/out" & half=$!
    wait "$half" || true; half=''
    grep -v '^{' "$work/out" || true; tail -1 "$work/out" | grep '^{' >> "$work/serf-n$n.json" || true
    (cd "$repo" && exec timeout -k 10 "$round_s" npx tsx "$here/swarmts.ts" --n "$n" --rounds 1 --first-round "$r" --log-dir "$work" \
      --prefix "$MB_PREFIX" --subnet "$MB_SUBNET" --settle-s "$settle" --join "${MB_JOIN:-sequential}") > "$work/out" 2>&1 & half=$!
    wait "$half" || true; half=''
    grep -v '^{' "$work/out" || true; tail -1 "$work/out" | grep '^{' >> "$work/swarmts-n$n.json" || true
  done
  merge() { jq -s -c '{join_s: [.[].join_s[]], detect_s: [.[].detect_s[]], false_positives: ([.[].false_positives] | add),
                       timeouts: ([.[].timeouts] | add), failed_rounds: ([.[].failed_rounds // 0] | add),
                       error: ([.[].error | values] | first)}' "$1"; }
  serf_json=$(merge "$work/serf-n$n.json"); swarm_json=$(merge "$work/swarmts-n$n.json")
  echo "serf n=$n: $serf_json"; echo "swarmts n=$n: $swarm_json"
  jq -n -c --argjson n "$n" --argjson s "$serf_json" --argjson w "$swarm_json" '
    def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
    def r3: if . == null then null else . * 1000 | round / 1000 end;
    def ratio($a; $b): if $a == null or $b == null or $b == 0 then null else $a / $b * 100 | round / 100 end;
    ($s.join_s | median) as $sj | ($w.join_s | median) as $wj | ($s.detect_s | median) as $sd | ($w.detect_s | median) as $wd
    | {n: $n, join_converge_ratio: ratio($wj; $sj), fail_detect_ratio: ratio($wd; $sd),
       serf_join_s: ($sj | r3), swarmts_join_s: ($wj | r3), serf_detect_s: ($sd | r3), swarmts_detect_s: ($wd | r3),
       false_positives: (if ($w.join_s | length) + ($w.detect_s | length) == 0 then null else $w.false_positives end)}'
done
