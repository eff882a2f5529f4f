#!/usr/bin/env python3
"""Prints the async frame size of every async function in a Swift binary, largest first.

    Benchmarks/async-frames.py BINARY [REGEX]     only functions whose name matches REGEX

Each async function has an "async function pointer" record (its mangled name ends in `Tu`):
the function's relative address, then the size of the context its caller allocates for it on
the task's stack (`swift_task_alloc`). A task parked in a read keeps every frame on the way
there for as long as it is parked, and the task allocator grows in slabs of about 1 KiB
(984 bytes usable, 16 more per allocation), so these sizes add up to the memory an idle
connection costs. Sizes of inlined callees are part of their caller's frame.

    Benchmarks/async-frames.py .build/release/swiftnet-echo "SocketConn|acceptLoop"

Reads the binary with nm and readelf (binutils); needs `swift demangle` for the names.
"""
import re
import struct
import subprocess
import sys


def sections(binary):
    """(address, file offset, size) of each section with an address."""
    out = subprocess.run(["readelf", "-SW", binary], capture_output=True, text=True, check=True).stdout
    found = []
    for line in out.splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+\S+\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)", line)
        if m and int(m.group(1), 16):
            found.append(tuple(int(g, 16) for g in m.groups()))
    return found


def frame_sizes(binary):
    """(context size, mangled name) for every async function pointer record."""
    data = open(binary, "rb").read()
    secs = sections(binary)
    nm = subprocess.run(["nm", binary], capture_output=True, text=True, check=True).stdout
    sizes = []
    for line in nm.splitlines():
        parts = line.split()
        if len(parts) != 3 or not parts[2].endswith("Tu"):
            continue
        address = int(parts[0], 16)
        for start, offset, size in secs:
            if start <= address < start + size:
                _, context = struct.unpack_from("<iI", data, offset + address - start)
                sizes.append((context, parts[2]))
                break
    return sizes


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    sizes = frame_sizes(sys.argv[1])
    pattern = re.compile(sys.argv[2]) if len(sys.argv) == 3 else None
    names = subprocess.run(["swift", "demangle", "--simplified"], input="\n".join(n for _, n in sizes),
                           capture_output=True, text=True, check=True).stdout.splitlines()
    for (context, _), name in sorted(zip(sizes, names), key=lambda p: -p[0][0]):
        name = name.removeprefix("async function pointer to ")
        if pattern is None or pattern.search(name):
            print(f"{context:6}  {name}")


if __name__ == "__main__":
    main()
