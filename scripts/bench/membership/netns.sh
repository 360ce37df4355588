#!/usr/bin/env bash
# netns.sh up N | down N — N simulated hosts for the membership benchmark: network namespaces
# ${MB_PREFIX}h1..hN, each with one veth (eth0 inside, ${MB_PREFIX}v<i> outside) on the bridge
# ${MB_PREFIX}br, which holds 10.99.${MB_SUBNET}.1/24 so that the root namespace reaches every
# host (serf RPC, swarmts CLI). Host i is 10.99.${MB_SUBNET}.(10+i). Nothing is routed off this
# machine. `down` first kills whatever still runs in the namespaces, then deletes them and the
# bridge; it never fails.
set -uo pipefail
prefix=${MB_PREFIX:-mbr}
subnet=${MB_SUBNET:-213}
bridge=${prefix}br

up() {
  local n=$1 i ns
  set -e
  if ip link show "$bridge" >/dev/null 2>&1; then echo "netns: bridge $bridge already exists (another run?)" >&2; exit 1; fi
  if ip -4 addr | grep -q "inet 10\.99\.$subnet\."; then echo "netns: 10.99.$subnet.0/24 is already in use here; set MB_SUBNET" >&2; exit 1; fi
  ip link add "$bridge" type bridge
  ip addr add "10.99.$subnet.1/24" dev "$bridge"
  ip link set "$bridge" up
  for i in $(seq 1 "$n"); do
    ns=${prefix}h$i
    ip netns add "$ns"
    ip link add "${prefix}v$i" type veth peer name eth0 netns "$ns"
    ip link set "${prefix}v$i" master "$bridge" up
    ip netns exec "$ns" ip addr add "10.99.$subnet.$((10 + i))/24" dev eth0
    ip netns exec "$ns" ip link set eth0 up
    ip netns exec "$ns" ip link set lo up
  done
}

down() {
  local n=$1 i ns pid
  for i in $(seq 1 "$n"); do
    ns=${prefix}h$i
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
  ip link del "$bridge" 2>/dev/null
  true
}

case ${1:-} in
  up) up "${2:?N}" ;;
  down) down "${2:?N}" ;;
  *) echo "usage: netns.sh up N | down N" >&2; exit 2 ;;
esac
