#!/usr/bin/env bash
# bench/deploy/run.sh — time from `stack deploy` until REPLICAS (30) replicas of a busybox
# `sleep` service all run: Docker 20.10 swarm mode on one host, swarmts on one host, then
# swarmts on three hosts (all managers), in one run, ROUNDS (3) rounds each. Every host is a
# network namespace of this machine (dockerd gets one of its own). Last line:
#   {"replicas":30,"swarmts_s":…,"docker_s":…,"ratio":…,"swarmts_3hosts_s":…}
# (medians in seconds; ratio = swarmts / docker on one host, below 1 swarmts is faster; null =
# not measured, see the lines above it). Env: DP_SYSTEMS (docker swarmts swarmts3: which
# halves run), DP_PREFIX (dp) and DP_SUBNET (211) for the hosts, DP_KEEP_LOGS=1 keeps the
# logs. Needs root. See README.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
rounds=${ROUNDS:-3}
replicas=${REPLICAS:-30}
systems=${DP_SYSTEMS:-docker swarmts swarmts3}
[[ $rounds =~ ^[0-9]+$ ]] && (( rounds >= 1 )) || { echo "bench: ROUNDS=$rounds: expected a positive integer" >&2; exit 2; }
[[ $replicas =~ ^[0-9]+$ ]] && (( replicas >= 1 && replicas <= 500 )) || { echo "bench: REPLICAS=$replicas: expected an integer in 1..500" >&2; exit 2; }
(( EUID == 0 )) || { echo "bench: needs root (network namespaces, containers)" >&2; exit 1; }
export MB_PREFIX=${DP_PREFIX:-dp} MB_SUBNET=${DP_SUBNET:-211}
image_tar=$repo/build/images/busybox.tar

missing=(); for tool in dockerd:docker.io jq:jq iptables:iptables /bin/busybox:busybox-static; do command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}"); done
if (( ${#missing[@]} )); then
  echo "bench: installing ${missing[*]} from apt" >&2
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 apt-get install -y --no-install-recommends "${missing[@]}" >&2 \
    || { timeout 300 apt-get update >&2 && timeout 600 apt-get install -y --no-install-recommends "${missing[@]}" >&2; }
fi
if [[ $systems == *swarmts* ]]; then
  [[ -f $image_tar ]] || (cd "$repo" && timeout 300 scripts/build-busybox-image.sh build/images/busybox >&2)
  # tsc rewrites only changed outputs, but its build info on every build: that dates dist/.
  built=$repo/dist/.tsbuildinfo; [[ -f $built ]] || built=$repo/dist/src/main.js
  if [[ ! -f $repo/dist/src/main.js || ! -f $built || -n $(find "$repo/src" -name '*.ts' -newer "$built" -print -quit) ]]; then
    echo "bench: dist/ is older than src/: npx tsc -p tsconfig.json" >&2
    (cd "$repo" && timeout 600 npx tsc -p tsconfig.json >&2) || echo "bench: the build reported errors; measuring what dist/ holds" >&2
  fi
fi

work=$(mktemp -d /tmp/swarmts-bench-deploy.XXXXXX)
tag=dpb$$
half=''
cleanup() {
  # `timeout` leads its own process group: end the half that runs, with everything it started.
  [[ -n $half ]] && kill -TERM -- "-$half" 2>/dev/null && sleep 3
  "$here/docker.sh" stop "$work/docker"
  # swarmts containers outlive their daemons: kill what is left in this run's cgroups.
  local c p m
  for c in $(find /sys/fs/cgroup -maxdepth 3 -type d -path "*/swarmts/$tag*" 2>/dev/null); do
    for p in $(cat $(find "$c" -name cgroup.procs) 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  done
  sleep 0.5
  for c in $(find /sys/fs/cgroup -maxdepth 3 -type d -path "*/swarmts/$tag*" 2>/dev/null); do find "$c" -depth -type d -exec rmdir {} \; 2>/dev/null; done
  "$here/../membership/netns.sh" down 4
  for m in $(awk -v d="$work/" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r); do umount -l "$m" 2>/dev/null; done
  if [[ ${DP_KEEP_LOGS:-0} == 1 ]]; then echo "bench: logs kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
"$here/../membership/netns.sh" up 4   # h1..h3: swarmts; h4: dockerd

# A half: set-up (<= 3 min), then per round up to 5 min to converge and 3 min to drain.
half_s=$(( 180 + rounds * 480 ))
run_half() { # key system hosts [extra args] -> its JSON in $work/<key>.json
  local key=$1 system=$2 hosts=$3; shift 3
  echo "bench: $key: load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  mkdir -p "$work/$key"
  (cd "$repo" && exec timeout -k 10 "$half_s" npx tsx "$here/deploy.ts" --system "$system" --hosts "$hosts" --work-dir "$work/$key" \
    --replicas "$replicas" --rounds "$rounds" --prefix "$MB_PREFIX" --subnet "$MB_SUBNET" --image-tar "$image_tar" --tag "$tag" "$@") > "$work/out" 2>&1 & half=$!
  wait "$half" || true; half=''
  grep -v '^{' "$work/out" || true
  tail -1 "$work/out" | grep '^{' > "$work/$key.json" || echo '{}' > "$work/$key.json"
  echo "$key: $(cat "$work/$key.json")"
}
for k in docker swarmts swarmts3; do echo '{}' > "$work/$k.json"; done
for k in $systems; do
  case $k in
    docker)
      if "$here/docker.sh" start "$work/docker" "${MB_PREFIX}h4" "10.99.$MB_SUBNET.14"; then
        run_half docker docker 1 --docker-sock "$work/docker/docker.sock"
      else
        echo "bench: dockerd did not start; no Docker figure" >&2
      fi
      "$here/docker.sh" stop "$work/docker" ;;
    swarmts) run_half swarmts swarmts 1 ;;
    swarmts3) run_half swarmts3 swarmts 3 ;;
    *) echo "bench: DP_SYSTEMS: unknown $k (docker, swarmts, swarmts3)" >&2 ;;
  esac
done

jq -n -c --argjson n "$replicas" --slurpfile d "$work/docker.json" --slurpfile s "$work/swarmts.json" --slurpfile t "$work/swarmts3.json" '
  def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  def r2: if . == null then null else . * 100 | round / 100 end;
  (($s[0].deploy_s // []) | median) as $sw | (($d[0].deploy_s // []) | median) as $dk | (($t[0].deploy_s // []) | median) as $s3
  | {replicas: $n, swarmts_s: ($sw | r2), docker_s: ($dk | r2),
     ratio: (if $sw == null or $dk == null or $dk == 0 then null else $sw / $dk | r2 end),
     swarmts_3hosts_s: ($s3 | r2)}'
