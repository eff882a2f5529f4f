#!/bin/sh
# Self-test of the C side of the benchmark harness: builds echo_epoll and
# loadgen into a temporary directory (zero warnings required), then runs every
# loadgen mode for about a second against echo_epoll on tcp and unix, and
# prints the JSON lines. Exits non-zero on the first failure.
#
#   Benchmarks/c/selftest.sh
#
# Timings are not checked: this proves the programs build, answer and agree.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

build() {
    cc -O2 -Wall -Wextra -Werror -o "$tmp/$1" "$here/$1.c" -lpthread
}
build echo_epoll
build loadgen
echo "built echo_epoll and loadgen with no warnings"

# start_server NETWORK ADDRESS MODE: starts echo_epoll, waits for its
# "listening on" line, sets $addr to the real address and $pid.
start_server() {
    out="$tmp/server.$$.$(date +%s%N).out"
    "$tmp/echo_epoll" --network "$1" --address "$2" --mode "$3" >"$out" &
    pid=$!
    pids="$pids $pid"
    i=0
    while ! grep -q '^listening on ' "$out"; do
        i=$((i + 1))
        if [ $i -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
            echo "FAIL: echo_epoll --network $1 --address $2 did not start" >&2
            exit 1
        fi
        sleep 0.05
    done
    addr=$(sed -n 's/^listening on //p' "$out")
}

# stop_server: SIGTERM must make it exit 0 (and unlink its unix path).
stop_server() {
    kill -TERM "$pid"
    if ! wait "$pid"; then
        echo "FAIL: echo_epoll (pid $pid) did not exit 0 on SIGTERM" >&2
        exit 1
    fi
}

lg() {
    if ! "$tmp/loadgen" "$@"; then
        echo "FAIL: loadgen $*" >&2
        exit 1
    fi
}

for net in tcp unix; do
    if [ $net = tcp ]; then a=127.0.0.1:0; else a="$tmp/echo.sock"; fi
    start_server $net "$a" echo
    t="--network $net --address $addr --warmup 0.2 --duration 1"
    lg --mode pingpong $t
    # With --server-pid, the server's CPU over the window: present and not zero.
    lg --mode pingpong $t --conns 64 --server-pid "$pid" | tee "$tmp/cpu.json"
    if ! grep -q '"server_cpu_us_per_op":[0-9]' "$tmp/cpu.json" || grep -q '"server_cpu_us_per_op":0\.000' "$tmp/cpu.json"; then
        echo "FAIL: loadgen --server-pid reported no server CPU" >&2
        exit 1
    fi
    lg --mode stream $t
    lg --mode stream $t --conns 4   # four streams: the server's EPOLLOUT path
    lg --mode connrate $t
    lg --mode idle --network $net --address "$addr" --conns 2000 --hold 1 --server-pid "$pid"
    lg --mode burst --network $net --address "$addr" --conns 1000
    stop_server
    if [ $net = unix ] && [ -e "$a" ]; then
        echo "FAIL: echo_epoll left $a behind" >&2
        exit 1
    fi
done

start_server unix "$tmp/fd.sock" fdrecv
lg --mode fdpass --network unix --address "$addr" --warmup 0.2 --duration 1 --window 32
stop_server

# Errors must be reported as errors: nobody listens on the removed path.
if "$tmp/loadgen" --mode pingpong --network unix --address "$tmp/fd.sock" --duration 1 2>"$tmp/err"; then
    echo "FAIL: loadgen against a missing server exited 0" >&2
    exit 1
fi
echo "expected error: $(cat "$tmp/err")"
echo "selftest passed"
