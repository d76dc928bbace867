"""`sam build` needs no local python3.13: with every directory that has one taken off PATH (pyenv's shims
included), `make sam-build` still builds the arm64 layer and every function (BuildMethod: makefile)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from local.cfn import load_template
from tests.template.test_build_artifacts import LAYER_DIR_NAME, check_build

ROOT = Path(__file__).resolve().parents[2]


def path_without_python313() -> str:
    dirs = os.environ.get("PATH", "").split(os.pathsep)
    return os.pathsep.join(d for d in dirs if d and not any(Path(d).glob("python3.13*")))


def test_every_function_and_the_layer_build_with_make() -> None:
    resources = load_template(ROOT / "template.yaml")["Resources"]
    builds = {
        name: (resource.get("Metadata") or {}).get("BuildMethod")
        for name, resource in resources.items()
        if resource["Type"] in ("AWS::Serverless::Function", "AWS::Serverless::LayerVersion")
    }
    assert builds and set(builds.values()) == {"makefile"}, builds


def test_sam_build_with_no_python313_on_path(tmp_path: Path) -> None:
    if not (ROOT / ".venv-sam" / "bin" / "sam").exists():
        pytest.skip("no .venv-sam (make sam-venv)")
    path = path_without_python313()
    assert shutil.which("python3.13", path=path) is None
    if shutil.which("make", path=path) is None or shutil.which("python3", path=path) is None:
        pytest.skip("make or python3 lives only next to a python3.13 on this machine")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYENV", "MAKE", "MFLAGS"))}
    env["PATH"] = path
    build_dir = tmp_path / "build"
    done = subprocess.run(
        # --no-cached: samconfig.toml's build cache would otherwise hand back what a build with 3.13 made.
        ["make", "--no-print-directory", "sam-build", f"SAM_BUILD_DIR={build_dir}", "SAM_BUILD_FLAGS=--no-cached"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert check_build(build_dir) == []
    assert "no python3.13 here" in done.stdout + done.stderr
    assert not list((build_dir / LAYER_DIR_NAME).rglob("*.pyc"))
