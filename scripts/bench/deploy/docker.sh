#!/usr/bin/env bash
# docker.sh start DIR NETNS IP | stop DIR — Docker 20.10 swarm mode (Debian's docker.io) as the
# deploy benchmark's peer, adapted from the peers' docker-swarm.sh. dockerd runs by hand (no
# systemd) inside the network namespace NETNS (entered with nsenter: `ip netns exec` would
# also remount /sys, hiding the cgroup mounts dockerd needs), with its data root, exec root and API socket
# under DIR (socket: DIR/docker.sock): every bridge, iptables rule and FORWARD policy it sets
# stays in that namespace, so bridged traffic of other work on this machine is not touched
# (br_netfilter is loaded here: a FORWARD policy of DROP in the root namespace would cut it).
# Its networks come from 10.99.217.0/24 (swarm overlays), 10.99.218.0/24 (local bridges) and
# 10.99.219.0/24 (docker0). `start` also imports busybox:local (a rootfs of /bin/busybox)
# and runs `docker swarm init`. `stop` leaves the swarm, stops dockerd, kills what is left in
# its containers' cgroups and unmounts what it mounted under DIR; it never fails.
set -uo pipefail
docker() { /usr/bin/docker -H "unix://$dir/docker.sock" "$@"; }

start() {
  set -e
  mkdir -p "$dir"
  nsenter --net="/run/netns/$netns" -- setsid dockerd --data-root "$dir/root" --exec-root "$dir/exec" --pidfile "$dir/pid" \
    -H "unix://$dir/docker.sock" --storage-driver overlay2 --bip 10.99.219.1/24 \
    --default-address-pool base=10.99.218.0/24,size=26 > "$dir/dockerd.log" 2>&1 < /dev/null &
  local up=0
  for _ in $(seq 150); do docker info >/dev/null 2>&1 && { up=1; break; }; sleep 0.2; done
  (( up )) || { echo "docker.sh: dockerd did not answer within 30 s; see $dir/dockerd.log" >&2; tail -5 "$dir/dockerd.log" >&2; exit 1; }
  local r; r=$(mktemp -d "$dir/rootfs.XXXXXX"); mkdir -p "$r/bin"; cp /bin/busybox "$r/bin/"
  for a in sh true sleep; do ln -s busybox "$r/bin/$a"; done
  tar -C "$r" -c . | docker import - busybox:local >/dev/null; rm -rf "$r"
  docker swarm init --advertise-addr "$ip" --default-addr-pool 10.99.217.0/24 --default-addr-pool-mask-length 26 >/dev/null
}

stop() {
  [[ -d $dir ]] || return 0
  if [[ -S $dir/docker.sock ]]; then
    for s in $(timeout 20 /usr/bin/docker -H "unix://$dir/docker.sock" stack ls --format '{{.Name}}' 2>/dev/null); do timeout 30 docker stack rm "$s" >/dev/null 2>&1; done
    timeout 30 docker swarm leave --force >/dev/null 2>&1
  fi
  local pid; pid=$(cat "$dir/pid" 2>/dev/null)
  if [[ -n $pid ]] && kill "$pid" 2>/dev/null; then
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null
  fi
  # A second `stop` must not signal whatever process reuses that pid later.
  rm -f "$dir/pid"
  # Containers that outlived dockerd: the processes in their cgroups, this dockerd's only
  # (another dockerd on the machine keeps its own). Their shims live in NETNS, which run.sh
  # empties.
  local id c p
  for id in $(ls "$dir/root/containers" 2>/dev/null); do
    for c in /sys/fs/cgroup/*/docker/"$id" /sys/fs/cgroup/docker/"$id"; do
      [[ -d $c ]] || continue
      for p in $(cat "$c/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
      sleep 0.2; rmdir "$c" 2>/dev/null
    done
  done
  # The parents dockerd made: rmdir removes them only when empty (no other dockerd uses them).
  for c in /sys/fs/cgroup/*/docker /sys/fs/cgroup/docker; do [[ -d $c ]] && rmdir "$c" 2>/dev/null; done
  local m
  for m in $(awk -v d="$dir/" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r); do umount -l "$m" 2>/dev/null; done
  true
}

cmd=${1:-}; dir=${2:-}
[[ -n $dir ]] || { echo "usage: docker.sh start DIR NETNS IP | stop DIR" >&2; exit 2; }
case $cmd in
  start) netns=${3:?NETNS}; ip=${4:?IP}; start ;;
  stop) stop ;;
  *) echo "usage: docker.sh start DIR NETNS IP | stop DIR" >&2; exit 2 ;;
esac
