"""`make serve` as a user runs it: a subprocess of the local server (and of make), with the real
template. Bad settings stop the start with one line and no traceback; the same settings fail a deployed
cold start (`build_runtime`) with the same message. A good start says which source, regions and key."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from model_catalog.errors import ConfigurationError
from model_catalog.runtime import build_runtime
from tests.conftest import ALL_REGIONS, ROOT


def user_environment(**variables: str) -> dict[str, str]:
    """The test's (sandboxed) environment, as a user's shell would hand it to `make serve`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "MAKE", "MFLAGS"))}
    return env | variables


def start(**variables: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "local.server"],
        cwd=ROOT,
        env=user_environment(**variables),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def refused(**variables: str) -> str:
    """The one line a start that fails prints."""
    done = start(**variables)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("local.server: ")
    return lines[0].removeprefix("local.server: ")


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def test_a_port_in_use_is_named_with_the_way_out(busy_port: int) -> None:
    line = refused(PORT=str(busy_port))
    assert line.startswith(f"port {busy_port} on 127.0.0.1 is in use")
    assert f"PORT={busy_port + 1} make serve" in line


@pytest.mark.parametrize("port", ["abc", "70000", "-1", "3000x"])
def test_a_port_that_is_no_port_number(port: str) -> None:
    assert refused(PORT=port) == f"PORT must be a port number from 1 to 65535 (0: any free port), got {port!r}"


def bad_json(tmp_path: Path) -> Path:
    path = tmp_path / "snapshot.json"
    path.write_text("{not json")
    return path


SETTINGS_CASES = {
    "missing snapshot": ({"CATALOG_SNAPSHOT": "/no/such/snapshot.json"}, "no snapshot file at /no/such/snapshot.json"),
    "snapshot not JSON": ({"CATALOG_SNAPSHOT": "<bad json>"}, "cannot read the snapshot"),
    "not a region": ({"AWS_BEDROCK_REGIONS": "us-east-1,moon"}, "AWS_BEDROCK_REGIONS: not AWS region names: moon"),
    "region not in the snapshot": (
        {"AWS_BEDROCK_REGIONS": "us-east-1,af-south-1"},
        f"AWS_BEDROCK_REGIONS: af-south-1 not in the snapshot bedrock-snapshot-2026-05-01.json, "
        f"which holds {', '.join(ALL_REGIONS)}",
    ),
    "unknown source": ({"CATALOG_SOURCE": "live"}, "CATALOG_SOURCE: Input should be 'bedrock' or 'snapshot'"),
    "two sources": (
        {"CATALOG_SOURCE": "bedrock", "CATALOG_SNAPSHOT": str(ROOT / "snapshots" / "bedrock-snapshot-2026-05-01.json")},
        "CATALOG_SOURCE=bedrock and CATALOG_SNAPSHOT are both set",
    ),
}


def resolved(variables: dict[str, str], tmp_path: Path) -> dict[str, str]:
    return {k: str(bad_json(tmp_path)) if v == "<bad json>" else v for k, v in variables.items()}


@pytest.mark.parametrize("case", SETTINGS_CASES)
def test_a_bad_setting_stops_the_start_with_one_line(case: str, tmp_path: Path) -> None:
    variables, expected = SETTINGS_CASES[case]
    assert expected in refused(**resolved(variables, tmp_path))


@pytest.mark.parametrize("case", SETTINGS_CASES)
def test_deployed_the_same_setting_fails_the_cold_start_with_the_same_message(case: str, tmp_path: Path) -> None:
    variables, _ = SETTINGS_CASES[case]
    env = resolved(variables, tmp_path)
    line = refused(**env)
    # What the template gives a deployed function, plus the setting; a snapshot stands in for Bedrock
    # where the case is about the snapshot.
    deployed = {"CATALOG_SOURCE": "bedrock", "AWS_REGION": "us-east-1"} | env
    if "CATALOG_SNAPSHOT" in env and "CATALOG_SOURCE" not in variables:
        deployed["CATALOG_SOURCE"] = "snapshot"
    if "AWS_BEDROCK_REGIONS" in env and "not in the snapshot" in line:
        deployed |= {
            "CATALOG_SOURCE": "snapshot",
            "CATALOG_SNAPSHOT": str(ROOT / "snapshots" / "bedrock-snapshot-2026-05-01.json"),
        }
    with pytest.raises(ConfigurationError) as caught:
        build_runtime(deployed)
    assert str(caught.value) == line


def test_make_serve_with_a_bad_port_says_why_without_a_traceback() -> None:
    done = subprocess.run(
        ["make", "--no-print-directory", "serve"],
        cwd=ROOT,
        env=user_environment(PORT="http"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "local.server: PORT must be a port number from 1 to 65535 (0: any free port), got 'http'" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_start_says_source_regions_and_key_and_credentials_switch_nothing() -> None:
    env = user_environment(PORT="0", AWS_PROFILE="someone", AWS_ACCESS_KEY_ID="AKIAEXAMPLE", API_KEY="k")
    server = subprocess.Popen(
        [sys.executable, "-u", "-m", "local.server"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        lines = [""]
        while "listening on" not in lines[0]:  # after the handlers' own log lines, if any
            lines = [server.stdout.readline().strip()]
            assert lines[0] or server.poll() is None
        lines += [server.stdout.readline().strip() for _ in range(3)]
        url = re.search(r"listening on (http://127\.0\.0\.1:\d+)", lines[0])
        assert url, lines
        assert lines[1].startswith("Source: snapshot ") and lines[1].endswith(
            "bedrock-snapshot-2026-05-01.json (CATALOG_SOURCE=bedrock for live data)"
        )
        assert lines[2] == f"Regions: {', '.join(ALL_REGIONS)}"
        assert lines[3] == "API key: required (x-api-key or Authorization: Bearer)"
        request = urllib.request.Request(f"{url.group(1)}/v1/models", headers={"x-api-key": "k"})
        with urllib.request.urlopen(request, timeout=30) as reply:
            assert reply.status == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
