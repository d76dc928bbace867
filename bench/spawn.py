"""Run a command; print as JSON when it wrote the line ``answered`` on stdout, when it exited, and its
peak RSS: ``python -S bench/spawn.py ARGV...``.

A Lambda container is frozen after answering, never torn down on the request path, so a cold start ends
at the first answer: the command says so on stdout (its other output, logs, is skipped).

Linux carries the peak RSS of the process that spawns a command over to the command (exec records the
old address space's high-water mark), so the benchmark's big process cannot spawn what it measures; this
small one does, its own peak far below any figure."""

import json
import os
import sys
import time

read_end, write_end = os.pipe()
start = time.perf_counter()
pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, write_end, 1)])
os.close(write_end)
with os.fdopen(read_end, "rb") as output:
    answered = any(line == b"answered\n" for line in iter(output.readline, b""))
    ready = time.perf_counter() - start
    output.read()
_, status, usage = os.wait4(pid, 0)
exited = time.perf_counter() - start
print(
    json.dumps(
        {
            "answered": answered,
            "ready": ready,
            "exited": exited,
            "max_rss_kib": usage.ru_maxrss,
            "exit": os.waitstatus_to_exitcode(status),
        }
    )
)
