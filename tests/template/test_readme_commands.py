"""The README's commands run as written in bash or zsh: every shell block names only variables the README
sets before it, quotes its URLs, runs Python through .venv, and gives boto3 a region; the "Try it"
examples run against a local server started as the README starts it."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
SHELLS = {"bash", "sh", "shell", "zsh", "console"}
USED = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
ASSIGNED = re.compile(r"(?:^|[\s;(])(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=")


def shell_blocks() -> list[str]:
    blocks = [(lang, text) for lang, text in BLOCK.findall(README)]
    assert all(lang for lang, _ in blocks), "every fenced block names its language"
    return [text for lang, text in blocks if lang in SHELLS]


def commands(block: str) -> list[str]:
    """Logical lines (backslash continuations joined), heredoc bodies left out."""
    lines, heredoc = [], None
    for line in block.replace("\\\n", " ").splitlines():
        if heredoc is not None:
            heredoc = None if line.strip() == heredoc else heredoc
            continue
        if match := re.search(r"<<-?\s*'?(\w+)'?", line):
            heredoc = match.group(1)
        lines.append(line)
    return lines


def test_the_readme_has_shell_blocks_and_no_prompts() -> None:
    blocks = shell_blocks()
    assert len(blocks) >= 4
    for block in blocks:
        assert not any(line.startswith("$ ") for line in block.splitlines()), "no prompts: copy and paste"


def test_every_variable_is_set_before_it_is_used() -> None:
    assigned: set[str] = set()
    for block in shell_blocks():
        for line in commands(block):
            code = line.split(" #", 1)[0]
            assigned |= set(ASSIGNED.findall(code))
            for name in USED.findall(code):
                assert name in assigned, f"${name} is used before the README sets it: {line}"


def test_urls_are_quoted() -> None:
    for block in shell_blocks():
        for line in commands(block):
            unquoted = re.sub(r"\"[^\"]*\"|'[^']*'", "", line.split(" #", 1)[0])
            assert not re.search(r"https?://|\$\{?BASE", unquoted), f"unquoted URL: {line}"


def test_python_runs_from_the_project_virtualenv() -> None:
    for block in shell_blocks():
        for line in commands(block):
            assert not re.search(r"(?<![\w/.])python3?(?:\s|$)", line), f"bare python: {line}"


def test_every_aws_command_has_a_region_set_before_it() -> None:
    region_set = False
    for block in shell_blocks():
        for line in commands(block):
            region_set = region_set or "AWS_DEFAULT_REGION=" in line
            if re.search(r"(^|\s)(aws|make (sam-deploy|e2e))\b|\$\(out ", line):
                assert region_set, f"boto3 needs a region before: {line}"


def the_block_after(heading: str, containing: str) -> str:
    section = README.split(heading, 1)[1]
    return next(block for block in shell_blocks() if containing in block and block in section)


@pytest.fixture(scope="module")
def served_readme() -> Iterator[str]:
    """The README's setup, on a free port, and `make serve`'s server started with it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    setup = the_block_after("## Try it", "export BASE=").replace("PORT=3000", f"PORT={port}")
    assert f"PORT={port}" in setup
    env_of_setup = subprocess.run(
        ["bash", "-c", f"{setup}\nenv -0"], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    env = dict(item.split("=", 1) for item in env_of_setup.split("\0") if "=" in item)
    server = subprocess.Popen(
        [sys.executable, "-m", "local.server"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        while "listening on" not in (line := server.stdout.readline()):
            assert line, "the server stopped before it listened"
        threading.Thread(target=server.stdout.read, daemon=True).start()  # its log lines must not block it
        yield setup
    finally:
        server.terminate()
        server.wait(timeout=30)


def run(setup: str, block: str) -> str:
    script = f"set -euo pipefail\n{setup}\n{block}"
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_curl_examples_answer(served_readme: str) -> None:
    out = run(served_readme, the_block_after("## Try it", 'curl -s "$BASE/anthropic/v1/models?limit=2"'))
    assert '"first_id"' in out and '"model_not_found"' in out and '"tools"' in out
    assert "amazon.nova-canvas-v1:0" in out  # an image model, from the search


def test_the_sdk_example_runs(served_readme: str) -> None:
    out = run(served_readme, the_block_after("## Try it", "import anthropic"))
    first, second = out.splitlines()
    assert first.split()[2] == "anthropic.claude-haiku-4-5-20251001-v1:0"
    assert second.endswith(" Amazon")


def test_the_start_block_is_make_serve() -> None:
    assert the_block_after("## Try it", "make serve").strip() == "make serve"
