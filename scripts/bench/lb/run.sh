#!/usr/bin/env bash
# bench/lb/run.sh [SECONDS] [CONNECTIONS] [ROUNDS] — HTTP requests/s through the swarmts load balancer
# and HAProxy, side by side, in network namespaces made here (10.250.0.0/16, never the host's):
#   node ns  : bridge br0 10.250.1.1/24 with 3 nginx backends (10.250.1.11-13, one worker each),
#              the swarmts balancer (lb-stdio-host) and HAProxy (TCP mode, roundrobin, :8081)
#   client ns: wrk on a routed link (10.250.9.2 -> node 10.250.9.1), every path crosses the node
# Measured, each for SECONDS (default 10) with CONNECTIONS (default 50) kept-alive connections,
# one wrk thread: directly to one backend, the swarmts VIP (nftables), a published port
# (nftables), HAProxy, and the VIP through the userland proxy. ROUNDS (default 2) repeats the
# five in turn, so load from other work on the machine falls on all alike; figures are means.
# Needs root, nft, wrk, haproxy, nginx (installed with apt-get when missing).
# Last line: {"swarmts_rps":…,"haproxy_rps":…,"ratio":…,"direct_rps":…,"userland_rps":…,"published_rps":…}
# ratio = swarmts VIP (nftables) / HAProxy.
set -euo pipefail
cd "$(dirname "$0")/../../.."
seconds=${1:-10}
connections=${2:-50}
rounds=${3:-2}

need=()
for tool in wrk:wrk haproxy:haproxy nginx:nginx-light conntrack:conntrack nft:nftables jq:jq; do
  command -v "${tool%%:*}" >/dev/null || need+=("${tool#*:}")
done
if ((${#need[@]})); then
  echo "bench: installing ${need[*]}" >&2
  apt-get install -y --no-install-recommends "${need[@]}" >&2
fi

p=lbb$$
node_ns=$p-node client_ns=$p-cl
backend_ns=($p-b1 $p-b2 $p-b3)
backend_ips=(10.250.1.11 10.250.1.12 10.250.1.13)
vip=10.250.200.5
work=$(mktemp -d /tmp/swarmts-bench-lb.XXXXXX)
pids=()

cleanup() {
  set +e
  [[ -n ${LB_PID:-} ]] && kill "$LB_PID" 2>/dev/null && wait "$LB_PID" 2>/dev/null
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  for ns in "$node_ns" "$client_ns" "${backend_ns[@]}"; do ip netns del "$ns" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

for ns in "$node_ns" "$client_ns" "${backend_ns[@]}"; do
  ip netns add "$ns"
  ip -n "$ns" link set lo up
done
ip -n "$node_ns" link add br0 type bridge
ip -n "$node_ns" addr add 10.250.1.1/24 dev br0
ip -n "$node_ns" link set br0 up
for i in 0 1 2; do
  ip -n "$node_ns" link add "v$i" type veth peer name eth0 netns "${backend_ns[$i]}"
  ip -n "$node_ns" link set "v$i" master br0 up
  ip -n "${backend_ns[$i]}" addr add "${backend_ips[$i]}/24" dev eth0
  ip -n "${backend_ns[$i]}" link set eth0 up
  ip -n "${backend_ns[$i]}" route add default via 10.250.1.1
done
ip -n "$node_ns" link add out0 type veth peer name eth0 netns "$client_ns"
ip -n "$node_ns" addr add 10.250.9.1/30 dev out0
ip -n "$node_ns" link set out0 up
ip -n "$client_ns" addr add 10.250.9.2/30 dev eth0
ip -n "$client_ns" link set eth0 up
ip -n "$client_ns" route add 10.250.0.0/16 via 10.250.9.1
in_ns "$node_ns" sysctl -qw net.ipv4.ip_forward=1

for i in 0 1 2; do
  dir=$work/b$((i + 1)); mkdir -p "$dir/logs"
  cat > "$dir/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log stderr crit;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir; proxy_temp_path $dir; fastcgi_temp_path $dir; uwsgi_temp_path $dir; scgi_temp_path $dir;
  server { listen 80; keepalive_requests 1000000; location / { return 200 "b$((i + 1))\n"; } }
}
CONF
  ip netns exec "${backend_ns[$i]}" nginx -p "$dir" -c "$dir/nginx.conf" & pids+=($!)
done

cat > "$work/haproxy.cfg" <<CONF
global
  maxconn 8192
  nbthread 1
defaults
  mode tcp
  timeout connect 2s
  timeout client 30s
  timeout server 30s
frontend bench
  bind 0.0.0.0:8081
  default_backend backends
backend backends
  balance roundrobin
  server b1 ${backend_ips[0]}:80
  server b2 ${backend_ips[1]}:80
  server b3 ${backend_ips[2]}:80
CONF
ip netns exec "$node_ns" haproxy -db -f "$work/haproxy.cfg" & pids+=($!)

view=$(jq -c -n --arg vip "$vip" --argjson ips "$(printf '%s\n' "${backend_ips[@]}" | jq -R . | jq -s -c .)" '{
  node: {subnet: "10.250.1.0/24", gateway: "10.250.1.1"},
  services: [{id: "bench", fullName: "bench_web", vip: $vip,
    ports: [{target: 80, published: 8080, protocol: "tcp", mode: "ingress"}],
    backends: [$ips | to_entries[] | {taskId: "t\(.key)", ip: .value, local: true}]}]}')

# Runs the balancer in the node namespace in MODE and applies the view; stop_lb ends it.
start_lb() {
  coproc LB { exec ip netns exec "$node_ns" node --import tsx src/lb/lb-stdio-host.ts "$1"; }
  echo "$view" >&"${LB[1]}"
  local reply; read -r -t 30 reply <&"${LB[0]}"
  jq -e .ok <<<"$reply" >/dev/null || { echo "bench: balancer failed: $reply" >&2; exit 1; }
}
stop_lb() {
  exec {LB[1]}>&-
  wait "$LB_PID" || true
  LB_PID=
}

wait_http() {
  for _ in $(seq 50); do
    in_ns "$client_ns" curl -s -o /dev/null --max-time 1 "$1" && return 0
    sleep 0.1
  done
  echo "bench: $1 does not answer" >&2; exit 1
}

# wrk against URL; prints requests/s.
measure() {
  local label=$1 url=$2 out
  wait_http "$url"
  out=$(in_ns "$client_ns" wrk -t1 -c"$connections" -d"${seconds}s" "$url")
  echo "--- $label ($url)" >&2; echo "$out" >&2
  if grep -q 'Non-2xx\|Socket errors' <<<"$out"; then echo "bench: $label had errors" >&2; fi
  awk '/^Requests\/sec:/ {print $2}' <<<"$out"
}

results=$work/results.jsonl
for round in $(seq "$rounds"); do
  echo "=== round $round of $rounds" >&2
  direct=$(measure direct "http://${backend_ips[0]}/")
  start_lb nftables
  swarmts=$(measure "swarmts VIP (nftables)" "http://$vip/")
  published=$(measure "swarmts published port (nftables)" "http://10.250.9.1:8080/")
  stop_lb
  haproxy=$(measure "haproxy roundrobin tcp" "http://10.250.9.1:8081/")
  start_lb userland
  userland=$(measure "swarmts VIP (userland proxy)" "http://$vip/")
  stop_lb
  echo "{\"s\":$swarmts,\"h\":$haproxy,\"d\":$direct,\"u\":$userland,\"p\":$published}" >> "$results"
done

jq -s -c 'def mean(k): (map(.[k]) | add / length);
  {swarmts_rps: (mean("s") | round), haproxy_rps: (mean("h") | round), ratio: (mean("s") / mean("h") * 100 | round / 100),
   direct_rps: (mean("d") | round), userland_rps: (mean("u") | round), published_rps: (mean("p") | round)}' "$results"
