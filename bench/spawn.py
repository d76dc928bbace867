"""Run a command and print its wall time and peak RSS as JSON: ``python -S bench/spawn.py ARGV...``.

Linux carries the peak RSS of the process that spawns a command over to the command (exec records the
old address space's high-water mark), so the benchmark's big process cannot spawn what it measures. This
small one does; its own peak is far below any figure. The command's stdout is discarded."""

import json
import os
import sys
import time

start = time.perf_counter()
pid = os.posix_spawn(
    sys.argv[1], sys.argv[1:], os.environ, file_actions=[(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "max_rss_kib": usage.ru_maxrss, "exit": os.waitstatus_to_exitcode(status)}))
