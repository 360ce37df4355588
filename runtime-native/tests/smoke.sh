#!/usr/bin/env bash
# smoke.sh BUILD_DIR — `make check`: the command line of swarmts-runtime and swarmts-monitor
# on a busybox bundle (root only). Every container, cgroup and temp dir it makes is removed
# on exit, pass or fail. The TypeScript contract suite covers the kernel behaviour in depth.
set -uo pipefail
build=$(cd "${1:-build}" && pwd)
rt=$build/swarmts-runtime
mon=$build/swarmts-monitor
[ "$(id -u)" = 0 ] || { echo "smoke: needs root (namespaces, mounts, cgroups)"; exit 1; }
for tool in busybox jq; do
  command -v $tool >/dev/null || { echo "smoke: needs $tool (apt-get install busybox-static jq)"; exit 1; }
done

work=$(mktemp -d /tmp/swarmts-smoke.XXXXXX)
root=$work/state
cg=/swarmts-smoke-$$
cleanup() {
  for d in "$root"/*/; do [ -d "$d" ] && "$rt" --root "$root" delete --force "$(basename "$d")" 2>/dev/null; done
  for c in /sys/fs/cgroup/*/; do [ -d "$c$cg" ] && find "$c$cg" -depth -type d -exec rmdir {} + 2>/dev/null; done
  [ -d "/sys/fs/cgroup$cg" ] && find "/sys/fs/cgroup$cg" -depth -type d -exec rmdir {} + 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

failures=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1"; failures=$((failures + 1)); }
# expect NAME WANT GOT
expect() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: expected [$2], got [$3]"; fi; }
# expect_match NAME REGEX TEXT
expect_match() { if [[ $3 =~ $2 ]]; then pass "$1"; else fail "$1: [$3] does not match /$2/"; fi; }

bundle=$work/bundle
mkdir -p "$bundle/rootfs"/{bin,proc,sys,dev,tmp,etc}
cp "$(command -v busybox)" "$bundle/rootfs/bin/busybox"
for a in sh true cat sleep hostname echo head tr; do ln -s busybox "$bundle/rootfs/bin/$a"; done
(cd "$bundle" && "$rt" spec) || fail "spec writes config.json"
[ -f "$bundle/config.json" ] && pass "spec writes config.json"
err=$(cd "$bundle" && "$rt" spec 2>&1); code=$?
expect "spec refuses to overwrite" 1 "$code"
template=$(cat "$bundle/config.json")
# with_args ID ARGS...: writes config.json running ARGS, with a cgroup under $cg.
with_args() {
  local id=$1; shift
  # jq would take a "-c" among --args for its own option: quote each argument separately.
  local args
  args=$(for a in "$@"; do printf '%s' "$a" | jq -Rs .; done | jq -sc .)
  printf '%s' "$template" | jq --arg cg "$cg/$id" --argjson args "$args" '.process.args = $args | .linux.cgroupsPath = $cg' \
    > "$bundle/config.json"
}

with_args r1 sh -c 'exit 3'
"$rt" --root "$root" run --bundle "$bundle" r1; expect "run exits with the container's code" 3 $?
expect "run deletes the container" "" "$(ls "$root")"
[ -d "/sys/fs/cgroup/pids$cg/r1" ] || [ -d "/sys/fs/cgroup$cg/r1" ] && fail "run removes the cgroup" || pass "run removes the cgroup"

with_args r2 sleep 100
"$rt" --root "$root" run --bundle "$bundle" r2 & runner=$!
for _ in $(seq 100); do "$rt" --root "$root" state r2 2>/dev/null | grep -q running && break; sleep 0.02; done
"$rt" --root "$root" kill r2 KILL
wait $runner; expect "run of a container killed by signal 9 exits with 137" 137 $?

with_args r3 sh -c 'echo pid=$$; cat /proc/self/cgroup | head -1; hostname'
out=$("$rt" --root "$root" run --bundle "$bundle" r3)
expect_match "the init is PID 1 with the spec's hostname" $'^pid=1\n.*\n[a-z]+$' "$out"
expect_match "the cgroup namespace is rooted at the container's cgroup" $'\n[0-9]+:[^:]*:/\n' "$out"

# cgroup v2 as most hosts have it: a cgroup2 mount on /sys/fs/cgroup in a private mount namespace
# (on this project's hybrid test machine that hierarchy owns no controllers: no limits then).
with_args v2 sh -c 'cat /proc/self/cgroup | grep "^0::"; ls /sys/fs/cgroup | grep -c "^cgroup.controllers$"'
out=$(unshare -m --propagation private sh -c 'mount -t cgroup2 none /sys/fs/cgroup && "$@"' _ \
  "$rt" --root "$root" run --bundle "$bundle" v2 2>&1)
expect "cgroup v2: the container runs in its own cgroup namespace and sees a cgroup2 mount" $'0::/\n1' "$out"
if unshare -m --propagation private sh -c 'mount -t cgroup2 none /sys/fs/cgroup && ! grep -qw memory /sys/fs/cgroup/cgroup.controllers'; then
  jq '.linux.resources.memory = {"limit": 33554432}' "$bundle/config.json" > "$work/c" && mv "$work/c" "$bundle/config.json"
  out=$(unshare -m --propagation private sh -c 'mount -t cgroup2 none /sys/fs/cgroup && "$@"' _ \
    "$rt" --root "$root" run --bundle "$bundle" v2 2>&1)
  expect_match "cgroup v2: a limit without its controller is refused, naming both" 'controller `memory` is not available in `/sys/fs/cgroup/cgroup.controllers`' "$out"
fi
[ -d "/sys/fs/cgroup/unified$cg/v2" ] || [ -d "/sys/fs/cgroup$cg/v2" ] && fail "cgroup v2: the cgroup is removed" || pass "cgroup v2: the cgroup is removed"

with_args c1 sleep 100
"$rt" --root "$root" create --bundle "$bundle" --pid-file "$work/c1.pid" c1 </dev/null >/dev/null 2>&1; expect "create succeeds" 0 $?
expect_match "state says created" '"status": "created"' "$("$rt" --root "$root" state c1)"
expect "pid file holds the init's pid" "$(cat "$work/c1.pid")" "$("$rt" --root "$root" state c1 | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')"
"$rt" --root "$root" start c1; expect "start succeeds" 0 $?
expect_match "state says running" '"status": "running"' "$("$rt" --root "$root" state c1)"
expect_match "list shows the container" 'c1 +[0-9]+ +running' "$("$rt" --root "$root" list)"
out=$("$rt" --root "$root" exec --env X=y c1 sh -c 'echo $X; hostname; exit 5'); code=$?
expect "exec returns the process's exit code" 5 "$code"
expect_match "exec runs in the container with its env" $'^y\n[a-z]+$' "$out"
err=$("$rt" --root "$root" delete c1 2>&1); code=$?
expect "delete refuses a running container" 1 "$code"
"$rt" --root "$root" kill c1 KILL; expect "kill by name" 0 $?
for _ in $(seq 50); do "$rt" --root "$root" state c1 | grep -q stopped && break; sleep 0.02; done
expect_match "state says stopped after kill" '"status": "stopped"' "$("$rt" --root "$root" state c1)"
"$rt" --root "$root" delete c1; expect "delete a stopped container" 0 $?

err=$("$rt" --root "$root" state nope 2>&1); code=$?
expect "an unknown id fails" 1 "$code"
expect_match "the error names the container" 'container `nope` does not exist' "$err"
err=$("$rt" --root "$root" --log "$work/log.json" --log-format json kill nope 2>&1)
expect_match "--log-format json writes the error as JSON" '^\{"level":"error","time":"[^"]+","msg":"container `nope` does not exist' "$(cat "$work/log.json")"
err=$("$rt" --root "$root" create --bogus x 2>&1); code=$?
expect "a bad flag fails" 1 "$code"
err=$("$rt" --root "$root" kill x SIGNOPE 2>&1)
expect_match "an unknown signal is named" 'SIGNOPE' "$err"
printf '{"ociVersion": "1.1.0", "process": ' > "$bundle/config.json"
err=$("$rt" --root "$root" run --bundle "$bundle" bad 2>&1); code=$?
expect "malformed config.json fails" 1 "$code"
expect_match "the error names the file" 'config.json` is not valid JSON' "$err"
with_args bad2 true
jq '.root.path = "no-such-rootfs"' "$bundle/config.json" > "$work/c" && mv "$work/c" "$bundle/config.json"
err=$("$rt" --root "$root" run --bundle "$bundle" bad2 2>&1)
expect_match "a missing rootfs is named" 'rootfs `.*no-such-rootfs`: No such file or directory' "$err"
expect "failed creates leave no state" "" "$(ls "$root")"

with_args m1 sh -c 'echo out; echo err >&2'
out=$("$mon" --runtime "$rt" --runtime-root "$root" --bundle "$bundle" --id m1 --log-path "$work/m1.log" \
  --exit-file "$work/m1.exit" --pid-file "$work/m1.pid")
expect_match "the monitor reports the created pid" '^created [0-9]+$' "$out"
"$rt" --root "$root" start m1
for _ in $(seq 100); do [ -f "$work/m1.exit" ] && break; sleep 0.02; done
expect_match "the monitor writes the exit file" '^\{"exitCode":0,"signal":null,"oomKilled":false,"finishedAt":"[^"]+Z"\}$' "$(cat "$work/m1.exit" 2>/dev/null)"
expect_match "the monitor logs both streams in CRI format" $'Z stdout F out\n.*Z stderr F err$' "$(cat "$work/m1.log")"
"$rt" --root "$root" delete m1
with_args m4 sh -c 'head -c 20000 /dev/zero | tr "\\0" a; echo'
"$mon" --runtime "$rt" --runtime-root "$root" --bundle "$bundle" --id m4 --log-path "$work/m4.log" \
  --exit-file "$work/m4.exit" --pid-file "$work/m4.pid" >/dev/null
"$rt" --root "$root" start m4
for _ in $(seq 100); do [ -f "$work/m4.exit" ] && break; sleep 0.02; done
expect "a 20000-byte line is logged as a 16384-byte P record and an F record of the rest" \
  "P 16384 F 3616" "$(awk '{ printf "%s%s %d", (NR > 1 ? " " : ""), $3, length($4) }' "$work/m4.log")"
"$rt" --root "$root" delete m4
exec {sync}>"$work/m2.sync"
out=$("$mon" --runtime "$rt" --runtime-root "$root" --bundle "$bundle" --id m2 --log-path "$work/m2.log" \
  --exit-file "$work/m2.exit" --pid-file "$work/m2.pid" --sync-fd "$sync")
exec {sync}>&-
expect "with --sync-fd nothing goes to stdout" "" "$out"
expect_match "with --sync-fd the verdict goes to that fd" '^created [0-9]+$' "$(cat "$work/m2.sync")"
"$rt" --root "$root" delete --force m2
out=$("$mon" --runtime "$rt" --runtime-root "$root" --bundle "$work/no-bundle" --id m3 --log-path "$work/m3.log" \
  --exit-file "$work/m3.exit" --pid-file "$work/m3.pid" 2>&1); code=$?
expect "the monitor fails when create fails" 1 "$code"
expect_match "the monitor passes the runtime's error on" 'no-bundle' "$out"

echo "$failures failure(s)"
[ "$failures" = 0 ]
