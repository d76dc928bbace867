"""`make help` lists every target of the Makefile and mk/*.mk, one line each, as a user runs it."""

from __future__ import annotations

import re
import subprocess

from tests.conftest import ROOT

RULE = re.compile(r"^([a-z][a-z-]*(?: [a-z][a-z-]*)*):(?!=)", re.MULTILINE)


def targets() -> set[str]:
    found: set[str] = set()
    for makefile in [ROOT / "Makefile", *sorted((ROOT / "mk").glob("*.mk"))]:
        for names in RULE.findall(makefile.read_text()):
            found.update(names.split())
    return found


def test_make_help_lists_every_target_with_one_line() -> None:
    done = subprocess.run(
        ["make", "--no-print-directory", "help"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    listed = {}
    for line in done.stdout.splitlines():
        match = re.fullmatch(r"make (\S+) +(\S.*)", line)
        assert match, f"not a help line: {line!r}"
        listed[match.group(1)] = match.group(2)
    assert {"serve", "test", "bench", "sam-build", "help"} <= targets()
    assert set(listed) == targets()


def dry_run(*args: str) -> str:
    done = subprocess.run(["make", "-n", *args], cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout


def test_make_bench_records_into_the_repository_only_when_asked() -> None:
    plain = re.search(r"-m bench --output (\S+)", dry_run("bench", "TMPDIR=/tmp"))
    assert plain and not plain.group(1).startswith(("bench/", str(ROOT)))
    recorded = re.search(r"-m bench --output (\S+)", dry_run("bench", "RECORD=1"))
    assert recorded and recorded.group(1) == "bench/results.json"
