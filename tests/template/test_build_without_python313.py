"""`sam build` needs no local python3.13: with every directory that has one taken off PATH (pyenv's shims
and pyenv itself included), `make sam-build` still builds the arm64 layer and every function
(BuildMethod: makefile). With a 3.13 that pyenv installed but did not select, the layer ships bytecode."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from local.cfn import load_template
from tests.template.test_build_artifacts import LAYER_DIR_NAME, check_build

ROOT = Path(__file__).resolve().parents[2]


def path_without(*programs: str) -> str:
    dirs = os.environ.get("PATH", "").split(os.pathsep)
    return os.pathsep.join(d for d in dirs if d and not any(any(Path(d).glob(p)) for p in programs))


def path_without_python313() -> str:
    return path_without("python3.13*", "pyenv")


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


def test_the_layer_is_compiled_by_a_313_pyenv_installed_but_did_not_select() -> None:
    pyenv = shutil.which("pyenv")
    if pyenv is None:
        pytest.skip("no pyenv on this machine")
    root = subprocess.run([pyenv, "root"], capture_output=True, text=True, check=True).stdout.strip()
    installed = sorted(Path(root).glob("versions/3.13*/bin/python3.13"))
    if not installed:
        pytest.skip("pyenv has no 3.13 installed")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYENV", "MAKE", "MFLAGS"))}
    env["PATH"] = path_without("python3.13*")  # pyenv stays, its shims go: as when 3.13 is not selected
    dry_run = subprocess.run(
        ["make", "--no-print-directory", "-n", "build-CatalogLayer", "ARTIFACTS_DIR=/nonexistent"],
        cwd=ROOT / "layers" / "catalog",
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert f"{installed[0]} -m compileall" in dry_run.stdout.replace('"', "")
