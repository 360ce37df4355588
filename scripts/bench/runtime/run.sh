#!/usr/bin/env bash
# bench/runtime/run.sh [RUNS] [ROUNDS] — times `run` (create + start + wait + delete) of /bin/true
# in one busybox bundle with swarmts-runtime, crun and runc, with hyperfine, all inside
# one private mount namespace where the cgroup v2 mount of this machine's hybrid layout is
# hidden (crun 1.8 refuses hybrid cgroups), so every runtime sees the same pure v1 cgroups.
# The bundle is `crun spec`'s default (pid, network, ipc, uts, mount, cgroup namespaces).
# RUNS runs of each (default 30) are split over ROUNDS hyperfine calls (default 3) that each
# time all three in turn, so that load from other work on the machine, which drifts over a
# minute, falls on every runtime alike; the medians are taken over all runs.
# Last line: {"swarmts_ms":…,"crun_ms":…,"runc_ms":…,"ratio_vs_crun":…} (medians, ms).
set -euo pipefail
cd "$(dirname "$0")/../../.."
runs=${1:-30}
rounds=${2:-3}
for tool in hyperfine crun runc jq busybox; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install hyperfine crun runc jq busybox-static)" >&2; exit 1; }
done
bash scripts/build-native.sh
runtime=$(pwd)/runtime-native/build/swarmts-runtime

work=$(mktemp -d /tmp/swarmts-bench-runtime.XXXXXX)
trap 'rm -rf "$work"' EXIT
bundle=$work/bundle
mkdir -p "$bundle/rootfs"/{bin,proc,sys,dev,tmp,etc,root}
cp /bin/busybox "$bundle/rootfs/bin/busybox"
for a in sh true; do ln -s busybox "$bundle/rootfs/bin/$a"; done
(cd "$bundle" && crun spec)
jq --arg root "$bundle/rootfs" '.process.terminal=false | .process.args=["/bin/true"] | .root.readonly=true | .root.path=$root' \
  "$bundle/config.json" > "$bundle/config.tmp" && mv "$bundle/config.tmp" "$bundle/config.json"

unshare -m --propagation private bash -c '
  umount /sys/fs/cgroup/unified 2>/dev/null || true
  for round in $(seq "$4"); do
    hyperfine -N --warmup 3 --runs $(( ($1 + $4 - 1) / $4 )) --export-json "$2/round-$round.json" \
      "$3 --root $2/state-swarmts run --bundle $2/bundle bench-swarmts" \
      "crun --root $2/state-crun run --bundle $2/bundle bench-crun" \
      "runc --root $2/state-runc run --bundle $2/bundle bench-runc"
  done' _ "$runs" "$work" "$runtime" "$rounds" >&2

jq -s -c 'def median: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  [range(3) as $i | [.[].results[$i].times[]] | median * 1000] as $m
  | {swarmts_ms: ($m[0] * 10 | round / 10), crun_ms: ($m[1] * 10 | round / 10), runc_ms: ($m[2] * 10 | round / 10),
     ratio_vs_crun: ($m[0] / $m[1] * 100 | round / 100)}' "$work"/round-*.json
