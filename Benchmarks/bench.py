#!/usr/bin/env python3
"""SwiftNet's benchmark harness: one load generator (C) against every server, interleaved.

Servers: SwiftNet (Net), Go's net package, SwiftNIO (NIOPosix) and a C epoll server (the
physical baseline of this machine). Each workload runs every server in turn (A B C D A B C D...)
for several repeats, in two placements: pinned (server and load generator on CPU 0) and
unpinned. Reports the median and spread of each figure, and its ratio to Go and to C, and in a
second table each server's own CPU time per operation over the same runs.

    Benchmarks/run              quick mode: short runs, one repeat (also CI's smoke test)
    Benchmarks/run --full       long runs, three repeats, writes docs/PERFORMANCE.md
    Benchmarks/run --smoke      CI: every server builds and answers, in seconds
"""
import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BIN = os.path.join(HERE, ".build", "bin")
RELEASE = os.path.join(HERE, ".build", "release")


def sh(cmd, **kw):
    print("+ " + " ".join(cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, check=True, **kw)


def build():
    """Builds every server and the load generator, all optimised."""
    os.makedirs(BIN, exist_ok=True)
    for prog in ["echo_epoll", "loadgen"]:
        sh(["cc", "-O2", "-Wall", "-Wextra", "-o", os.path.join(BIN, prog), os.path.join(HERE, "c", prog + ".c"), "-lpthread"])
    env = dict(os.environ, GO111MODULE="off", CGO_ENABLED="0")
    env.setdefault("GOCACHE", os.path.join(tempfile.gettempdir(), "swiftnet-bench-gocache"))
    sh(["go", "build", "-o", os.path.join(BIN, "go-echo"), os.path.join(HERE, "go", "echo", "main.go")], env=env)
    sh(["swift", "build", "-c", "release", "--package-path", HERE])


SERVERS = {
    "swiftnet": lambda: [os.path.join(RELEASE, "swiftnet-echo")],
    "go": lambda: [os.path.join(BIN, "go-echo")],
    "nio": lambda: [os.path.join(RELEASE, "nio-echo")],
    "c": lambda: [os.path.join(BIN, "echo_epoll")],
}


class Server:
    """A server process, started with the harness's CLI contract, stopped with SIGTERM."""

    def __init__(self, name, network, address, mode, pin):
        cmd = SERVERS[name]() + ["--network", network, "--address", address] + server_mode_args(mode)
        if pin:
            cmd = ["taskset", "-c", "0"] + cmd
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        m = re.match(r"listening on (.+)$", line)
        if not m:
            self.stop()
            raise RuntimeError(f"{name}: no 'listening on' line (got {line!r}; stderr {self.proc.stderr.read()!r})")
        self.address = m.group(1)
        self.pid = self.proc.pid if not pin else self.child_pid()

    def child_pid(self):
        # taskset execs the server, so the pid is the same process.
        return self.proc.pid

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# "echo+deadline": echo, moving the read deadline 30 s ahead before every read (Go's idle
# timeout, as net/http sets it). The C server has no deadlines, so it sits that workload out.
DEADLINE_MODE = "echo+deadline"


def server_mode_args(mode):
    if mode == DEADLINE_MODE:
        return ["--mode", "echo", "--read-timeout", "30"]
    return ["--mode", mode]


def takes_part(server, mode):
    if mode == "fdrecv" and server == "nio":
        return False  # NIO has no fd receiver in this harness
    if mode == DEADLINE_MODE and server == "c":
        return False
    return True


def loadgen(args, pin, client="c"):
    cmd = [os.path.join(BIN, "loadgen")] if client == "c" else [os.path.join(RELEASE, "swiftnet-client")]
    cmd += args
    if pin:
        cmd = ["taskset", "-c", "0"] + cmd
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(f"loadgen {' '.join(args)} failed: {out.stderr.strip()}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def workloads(full, smoke=False):
    if smoke:
        # CI's smoke test: every server builds and answers each kind of request, briefly.
        out = []
        for net in ["tcp", "unix"]:
            out.append((f"pingpong 64 B, 4 conns, {net}", net, "echo", ["--mode", "pingpong", "--conns", "4", "--size", "64", "--duration", "0.3", "--warmup", "0.1"], "ops_per_sec", "round trips/s"))
            out.append((f"stream 64 KiB, {net}", net, "echo", ["--mode", "stream", "--conns", "1", "--size", "65536", "--duration", "0.3", "--warmup", "0.1"], "gib_per_sec", "GiB/s"))
        out.append(("pingpong 64 B, 4 conns, deadline per read, tcp", "tcp", DEADLINE_MODE, ["--mode", "pingpong", "--conns", "4", "--size", "64", "--duration", "0.3", "--warmup", "0.1"], "ops_per_sec", "round trips/s"))
        out.append(("fd passing, unix", "unix", "fdrecv", ["--mode", "fdpass", "--window", "8", "--duration", "0.3", "--warmup", "0.1"], "ops_per_sec", "fds/s"))
        return out
    d, w = ("5", "1") if full else ("1", "0.3")
    idle = "10000" if full else "2000"
    out = []
    for net in ["tcp", "unix"]:
        out += [
            (f"pingpong 64 B, 1 conn, {net}", net, "echo", ["--mode", "pingpong", "--conns", "1", "--size", "64", "--duration", d, "--warmup", w], "ops_per_sec", "round trips/s"),
            (f"pingpong 64 B, 64 conns, {net}", net, "echo", ["--mode", "pingpong", "--conns", "64", "--size", "64", "--duration", d, "--warmup", w], "ops_per_sec", "round trips/s"),
            (f"pingpong 64 B, 64 conns, deadline per read, {net}", net, DEADLINE_MODE, ["--mode", "pingpong", "--conns", "64", "--size", "64", "--duration", d, "--warmup", w], "ops_per_sec", "round trips/s"),
            (f"stream 64 KiB, {net}", net, "echo", ["--mode", "stream", "--conns", "1", "--size", "65536", "--duration", d, "--warmup", w], "gib_per_sec", "GiB/s"),
            (f"connect+echo+close, 8 dialers, {net}", net, "echo", ["--mode", "connrate", "--conns", "8", "--duration", d, "--warmup", w], "ops_per_sec", "conns/s"),
            (f"burst of 1000 dials, {net}", net, "echo", ["--mode", "burst", "--conns", "1000"], "ops_per_sec", "conns/s"),
            (f"{idle} idle conns, {net}", net, "echo", ["--mode", "idle", "--conns", idle, "--hold", "1"], "kib_per_conn", "KiB/conn (lower is better)"),
        ]
    # Connection churn while the server holds many others: what a long-lived server does.
    out.append((f"connect+echo+close beside {idle} idle, unix", "unix", "echo", ["--mode", "connrate", "--conns", "8", "--idle", idle, "--duration", d, "--warmup", w], "ops_per_sec", "conns/s"))
    out.append(("fd passing, unix", "unix", "fdrecv", ["--mode", "fdpass", "--window", "32", "--duration", d, "--warmup", w], "ops_per_sec", "fds/s"))
    return out


def run_all(opts):
    repeats = 3 if opts.full else 1
    placements = ["pinned", "unpinned"] if not opts.placement else [opts.placement]
    servers = opts.servers.split(",")
    tmp = tempfile.mkdtemp(prefix="swiftnet-bench.")
    results = []  # (workload, unit, placement, metric values, loadgen CPU, server CPU per op)
    try:
        for placement in placements:
            pin = placement == "pinned"
            for (name, net, mode, args, metric, unit) in workloads(opts.full, opts.smoke):
                if opts.only and opts.only not in name:
                    continue
                values = {s: [] for s in servers}
                loadgen_cpu = {s: [] for s in servers}
                server_cpu = {s: [] for s in servers}
                for r in range(repeats):
                    for s in servers:
                        if not takes_part(s, mode):
                            continue
                        address = "127.0.0.1:0" if net == "tcp" else os.path.join(tmp, f"{s}-{r}.sock")
                        server = Server(s, net, address, mode, pin)
                        try:
                            res = loadgen(args + ["--network", net, "--address", server.address, "--server-pid", str(server.pid)], pin)
                        finally:
                            server.stop()
                        values[s].append(res[metric])
                        loadgen_cpu[s].append(res.get("loadgen_cpu_percent") or 0)
                        if res.get("server_cpu_us_per_op") is not None:
                            server_cpu[s].append(res["server_cpu_us_per_op"])
                        print(f"  {placement:8} {name:36} {s:9} {res[metric]:12.2f} {unit}  (loadgen cpu {res.get('loadgen_cpu_percent')}%, "
                              f"server cpu {res.get('server_cpu_percent')}%, {res.get('server_cpu_us_per_op')} us/op)", file=sys.stderr, flush=True)
                results.append((name, unit, placement, values, loadgen_cpu, server_cpu))
            if not opts.smoke and "pingpong" in (opts.only or "pingpong") and "c" in servers:
                results.append(client_side(tmp, pin, placement, opts.full))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return results


def client_side(tmp, pin, placement, full):
    """SwiftNet as the client, against the C server, beside the C load generator."""
    d, w = ("5", "1") if full else ("1", "0.3")
    values = {"c-loadgen": [], "swiftnet-client": []}
    for net in ["tcp"]:
        for client in ["c", "swiftnet"]:
            server = Server("c", net, "127.0.0.1:0", "echo", pin)
            try:
                res = loadgen(["--mode", "pingpong", "--network", net, "--address", server.address, "--conns", "64",
                               "--size", "64", "--duration", d, "--warmup", w], pin, client=client)
            finally:
                server.stop()
            values["c-loadgen" if client == "c" else "swiftnet-client"].append(res["ops_per_sec"])
    return ("client side: pingpong 64 B, 64 conns, tcp, vs C server", "round trips/s", placement, values, {}, {})


def median_of(values, s):
    v = values.get(s) or []
    return statistics.median(v) if v else None


def cell_of(values, s):
    """The median of server s's figures, with their spread when there are several."""
    v = values.get(s) or []
    if not v:
        return "–"
    spread = f" ({min(v):.4g}–{max(v):.4g})" if len(v) > 1 else ""
    return f"{statistics.median(v):.4g}{spread}"


def ratio_of(values, a, b, lower_is_better):
    """a's median over b's, turned round when lower is better: above 1.00x, a is ahead."""
    x, y = median_of(values, a), median_of(values, b)
    if x is None or y is None or x == 0 or y == 0:
        return "–"
    return f"{(y / x if lower_is_better else x / y):.2f}x"


def table(results):
    lines = ["| workload | placement | unit | " + " | ".join(["swiftnet", "go", "nio", "c"]) + " | swiftnet/go | swiftnet/c | swiftnet/nio |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for (name, unit, placement, values, _, _) in results:
        def cell(s):
            return cell_of(values, s)

        def ratio(a, b):
            return ratio_of(values, a, b, "lower" in unit)

        if "c-loadgen" in values:
            lines.append(f"| {name} | {placement} | {unit} | swiftnet-client {cell('swiftnet-client')} | – | – | c-loadgen {cell('c-loadgen')} | – | {ratio('swiftnet-client', 'c-loadgen')} | – |")
            continue
        lines.append(f"| {name} | {placement} | {unit} | {cell('swiftnet')} | {cell('go')} | {cell('nio')} | {cell('c')} | "
                     f"{ratio('swiftnet', 'go')} | {ratio('swiftnet', 'c')} | {ratio('swiftnet', 'nio')} |")
    return "\n".join(lines)


def cpu_table(results):
    """Each server's CPU time per operation (all its threads, over the measured window), with
    the same medians, spreads and ratios; above 1.00x means SwiftNet spends less."""
    lines = ["| workload | placement | " + " | ".join(["swiftnet", "go", "nio", "c"]) + " | go/swiftnet | c/swiftnet | nio/swiftnet |",
             "|---|---|---|---|---|---|---|---|---|"]
    for (name, _, placement, _, _, server_cpu) in results:
        if not any(server_cpu.values()):
            continue
        cells = " | ".join(cell_of(server_cpu, s) for s in ["swiftnet", "go", "nio", "c"])
        ratios = " | ".join(ratio_of(server_cpu, "swiftnet", s, True) for s in ["go", "c", "nio"])
        lines.append(f"| {name} | {placement} | {cells} | {ratios} |")
    return "\n".join(lines)


def machine_facts():
    def first(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip().splitlines()[0]
        except Exception:
            return "?"
    model = "?"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return [f"- CPU: {model}, {os.cpu_count()} online", f"- kernel: {platform.release()}",
            f"- swift: {first(['swift', '--version'])}", f"- go: {first(['go', 'version'])}", f"- cc: {first(['cc', '--version'])}",
            f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--full", action="store_true", help="5 s runs, 3 interleaved repeats, 10,000 idle connections")
    p.add_argument("--placement", choices=["pinned", "unpinned"], help="only one placement")
    p.add_argument("--smoke", action="store_true", help="CI's check: every server builds and answers (a few seconds, unpinned)")
    p.add_argument("--servers", default="swiftnet,go,nio,c", help="comma-separated subset")
    p.add_argument("--only", help="only workloads whose name contains this text")
    p.add_argument("--no-build", action="store_true", help="use what is already built")
    p.add_argument("--write", action="store_true", help="record the table in docs/PERFORMANCE.md (default with --full)")
    opts = p.parse_args()
    if opts.smoke:
        opts.placement = "unpinned"
    for tool in ["taskset", "go", "cc", "swift"]:
        if not shutil.which(tool):
            sys.exit(f"bench: {tool} is not installed")
    if not opts.no_build:
        build()
    results = run_all(opts)
    text = table(results)
    cpu_text = cpu_table(results)
    print(text + "\n\nServer CPU per operation (µs, lower is better):\n\n" + cpu_text)
    if opts.write or opts.full:
        with open(os.path.join(ROOT, "docs", "PERFORMANCE.md"), "w") as f:
            f.write("# SwiftNet performance, side by side\n\n")
            f.write("Produced by `Benchmarks/run" + (" --full" if opts.full else "") + "`: one C epoll load generator "
                    "(its own CPU use is in the log) against each server, servers interleaved run by run, medians "
                    "with the spread of the repeats in parentheses. Pinned: server and load generator both on CPU 0. "
                    "Ratios are SwiftNet's figure over the other's (for memory, the other's over SwiftNet's), so "
                    "above 1.00x means SwiftNet is ahead.\n\n## Machine\n\n")
            f.write("\n".join(machine_facts()) + "\n\n## Results\n\n" + text + "\n")
            f.write("\n## Server CPU per operation\n\n"
                    "Each server's CPU time (all its threads, user and system) over the measured window, "
                    "divided by the operations in it: µs per round trip, chunk, connection or fd; for a "
                    "burst, from the first dial to the last echo. Lower is better; ratios are the other's "
                    "over SwiftNet's, so above 1.00x means SwiftNet spends less. Pinned, the throughput above "
                    "also depends on how the scheduler shares the one CPU between server and load "
                    "generator; this is closer to what each server's own work costs.\n\n" + cpu_text + "\n")


if __name__ == "__main__":
    main()
