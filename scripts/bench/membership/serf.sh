#!/usr/bin/env bash
# serf.sh N ROUNDS LOGDIR [FIRST_ROUND] — the Serf half of the membership benchmark, adapted from
# /work/shared/peers/serf-bench.sh: HashiCorp Serf with `-profile=lan` on hosts 1..N made by
# netns.sh, a fresh cluster every round.
#   join:   agent 1 starts alone; agents 2..N start back-to-back with -join=host1; t0 = just
#           before launching agent N. Converged when every agent's log shows EventMemberJoin
#           for all N names; the figure is the latest such moment minus t0.
#   detect: SETTLE_S seconds later, kill -9 of a random agent in 2..N at tk; done when every
#           other agent logged "EventMemberFailed: victim"; the figure is the latest such line
#           minus tk. The first "Suspect victim has failed" line is printed too.
#   false positives: EventMemberFailed or EventMemberLeave lines naming anyone but the victim.
#   idle cluster: CPU used by all agents during the SETTLE_S wait, in % of one core.
# Times come from the agents' log lines, each stamped with $EPOCHREALTIME by ts-log.sh (serf's own
# stamps have 1 s resolution; its event handlers are delayed by coalescing). One clock serves
# all namespaces. Kills only the PIDs it started.
# Prints one line per round, then {"system":"serf","n":N,"join_s":[…],"detect_s":[…],"false_positives":F}
# (a round that timed out is missing from its list and counted in "timeouts").
set -uo pipefail
# bash reports every agent it kills ("Killed  ip netns exec ..."); that is the fault, not news
exec 2> >(grep --line-buffered -v ' Killed ' >&2)
here=$(cd "$(dirname "$0")" && pwd)
N=${1:?N}; ROUNDS=${2:?ROUNDS}; LOGS=${3:?LOGDIR}; FIRST=${4:-1}
prefix=${MB_PREFIX:-mbr}; subnet=${MB_SUBNET:-213}
settle_s=${SETTLE_S:-5}
join_timeout_s=60; detect_timeout_s=60
ip_of() { echo "10.99.$subnet.$((10 + $1))"; }
declare -a pids=()

start_agent() { # i logdir
  local i=$1 ip; ip=$(ip_of "$i")
  ip netns exec "${prefix}h$i" serf agent -node="h$i" -bind="$ip:7946" -rpc-addr="$ip:7373" \
    -profile=lan -join="$(ip_of 1)" -log-level=info > >("$here/ts-log.sh" "$2/h$i.log") 2>&1 &
  pids[$i]=$!
}
stop_all() { local p; for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
             for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done; pids=(); }
trap stop_all EXIT
# polls every 50 ms until "$@" succeeds or $1 seconds pass
wait_for() { local end=$(( ${EPOCHREALTIME%.*} + $1 )); shift
  until "$@"; do (( ${EPOCHREALTIME%.*} >= end )) && return 1; sleep 0.05; done; }
# per agent log: the moment its N-th distinct EventMemberJoin name appeared
join_times() { local f; for f in "$1"/h*.log; do awk -v n="$N" '/EventMemberJoin:/ {
    for (i = 1; i <= NF; i++) if ($i == "EventMemberJoin:") nm = $(i + 1)
    if (!(nm in s)) { s[nm] = 1; c++; if (c == n) { print $1; exit } } }' "$f"; done; }
all_joined() { [[ $(join_times "$1" | wc -l) -eq $N ]]; }
logs_with() { grep -l -- "$2" "$1"/h*.log 2>/dev/null | wc -l; }
logs_with_ge() { [[ $(logs_with "$1" "$2") -ge $3 ]]; }
first_ts() { grep -h -- "$2" "$1"/h*.log | awk '{print $1}' | sort -n | head -1; }
last_first_ts() { local f; for f in "$1"/h*.log; do grep -m1 -h -- "$2" "$f" | awk '{print $1}'; done | sort -n | tail -1; }
# CPU time (user + system, clock ticks) used so far by every agent started
cpu_ticks() { local p t=0; for p in "${pids[@]}"; do t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo "$t"; }
s_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

joins=(); detects=(); false_positives=0; timeouts=0
for r in $(seq "$FIRST" $((FIRST + ROUNDS - 1))); do
  L=$LOGS/serf-n$N-r$r; mkdir -p "$L"
  start_agent 1 "$L"
  wait_for 10 serf members -rpc-addr="$(ip_of 1):7373" >/dev/null 2>&1 || { echo "serf: agent h1 did not start; see $L/h1.log" >&2; exit 1; }
  for i in $(seq 2 "$N"); do (( i == N )) && t0=$EPOCHREALTIME; start_agent "$i" "$L"; done
  if wait_for "$join_timeout_s" all_joined "$L"; then
    join_s=$(s_between "$t0" "$(join_times "$L" | sort -n | tail -1)"); joins+=("$join_s")
  else join_s=TIMEOUT; timeouts=$((timeouts + 1)); fi
  c0=$(cpu_ticks); sleep "$settle_s"; c1=$(cpu_ticks)
  idle_cpu=$(awk -v t=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v s="$settle_s" 'BEGIN { if (s > 0) printf "%.0f", 100 * t / hz / s; else print "-" }')
  alive=$(serf members -rpc-addr="$(ip_of "$N"):7373" -status=alive | wc -l)
  v=$(( RANDOM % (N - 1) + 2 ))
  kill -9 "${pids[$v]}"; tk=$EPOCHREALTIME
  if wait_for "$detect_timeout_s" logs_with_ge "$L" "EventMemberFailed: h$v " $((N - 1)); then
    detect_s=$(s_between "$tk" "$(last_first_ts "$L" "EventMemberFailed: h$v ")"); detects+=("$detect_s")
    suspect_s=$(s_between "$tk" "$(first_ts "$L" "Suspect h$v has failed")")
  else detect_s=TIMEOUT; suspect_s=-; timeouts=$((timeouts + 1)); fi
  fp=$(grep -hE 'EventMember(Failed|Leave): ' "$L"/h*.log | grep -v "EventMemberFailed: h$v " | wc -l)
  false_positives=$((false_positives + fp))
  echo "serf n=$N round $r: join ${join_s} s ($alive alive on h$N before the kill; idle cluster ${idle_cpu}% of a core); killed h$v: first suspect ${suspect_s} s, failed on all $((N - 1)) ${detect_s} s; false positives $fp"
  stop_all; sleep 1
done
list() { local IFS=,; echo "[$*]"; }
echo "{\"system\":\"serf\",\"n\":$N,\"join_s\":$(list "${joins[@]}"),\"detect_s\":$(list "${detects[@]}"),\"false_positives\":$false_positives,\"timeouts\":$timeouts}"
