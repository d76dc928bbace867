"""The built artifacts (`sam build`, see mk/sam.mk) hold arm64 native code only, and the layer leaves
the runtime's own packages alone.

The functions run on arm64 (Graviton), but `sam build` runs here on x86_64 without a container: a
layer that picked up the build machine's wheels would fail at import in Lambda. This checks the ELF
header of every shared object under the build directory, and that pydantic-core is there. The layer
must not carry boto3/botocore (or their dependencies): they would shadow the runtime's copies and add
tens of megabytes to every cold start (layers/catalog/Makefile). Bytecode, when the build had a python3.13
to make it, is 3.13's only; every function holds its app.py.

Run by pytest (skipped when nothing was built) and by `make sam-check-arch` with a plain
`python3 tests/template/test_build_artifacts.py [BUILD_DIR]` (standard library only).
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_BUILD_DIR = REPO / ".aws-sam" / "build"
LAYER_DIR_NAME = "CatalogLayer"

EM_X86_64 = 62
EM_AARCH64 = 183
MACHINES = {EM_X86_64: "x86_64", EM_AARCH64: "aarch64", 3: "i386", 40: "arm"}
# Packages of the Lambda python3.13 runtime that the layer must not bring its own copy of.
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "urllib3", "dateutil", "jmespath", "six.py")


def elf_machine(path: Path) -> int | None:
    """The e_machine field of an ELF file, or None when the file is not ELF."""
    with path.open("rb") as fh:
        header = fh.read(20)
    if len(header) < 20 or header[:4] != b"\x7fELF":
        return None
    byteorder = "<" if header[5] == 1 else ">"
    (machine,) = struct.unpack(byteorder + "H", header[18:20])
    return int(machine)


def shared_objects(build_dir: Path) -> list[Path]:
    return sorted(p for p in build_dir.rglob("*.so*") if p.is_file() and ".so" in p.name)


def check_build(build_dir: Path) -> list[str]:
    """Problems found in a sam build directory; empty when it is fine."""
    if not build_dir.is_dir():
        return [f"{build_dir} does not exist: run `make sam-build` first"]
    problems: list[str] = []
    layer = build_dir / LAYER_DIR_NAME / "python"
    cores = sorted(layer.glob("pydantic_core/_pydantic_core*.so"))
    if not cores:
        problems.append(f"no pydantic_core extension under {layer}")
    for so in cores:
        if "aarch64" not in so.name:
            problems.append(f"{so.relative_to(build_dir)} is not tagged aarch64")
    for name in RUNTIME_PACKAGES:
        if (layer / name).exists():
            problems.append(f"{LAYER_DIR_NAME}/python/{name} is in the layer: the Lambda runtime provides it")
    for pyc in sorted(layer.rglob("*.pyc")):
        if not pyc.name.endswith(".cpython-313.pyc"):
            problems.append(f"{pyc.relative_to(build_dir)} is bytecode of another Python than Lambda's 3.13")
    for function in sorted(build_dir.glob("*Function")):
        if not (function / "app.py").is_file():
            problems.append(f"{function.name} has no app.py")
    for so in shared_objects(build_dir):
        machine = elf_machine(so)
        if machine is not None and machine != EM_AARCH64:
            name = MACHINES.get(machine, str(machine))
            problems.append(f"{so.relative_to(build_dir)} is built for {name}, not aarch64")
    return problems


def test_built_layer_is_arm64() -> None:
    import pytest

    if not (DEFAULT_BUILD_DIR / LAYER_DIR_NAME).is_dir():
        pytest.skip("no sam build output (make sam-build)")
    assert check_build(DEFAULT_BUILD_DIR) == []


def test_elf_machine_reads_headers(tmp_path: Path) -> None:
    def elf(machine: int) -> bytes:
        return b"\x7fELF" + bytes([2, 1, 1]) + bytes(9) + struct.pack("<H", 3) + struct.pack("<H", machine)

    arm = tmp_path / "a.so"
    arm.write_bytes(elf(EM_AARCH64) + bytes(40))
    x86 = tmp_path / "b.so"
    x86.write_bytes(elf(EM_X86_64) + bytes(40))
    text = tmp_path / "c.so"
    text.write_text("not elf")
    assert elf_machine(arm) == EM_AARCH64
    assert elf_machine(x86) == EM_X86_64
    assert elf_machine(text) is None

    build = tmp_path / "build"
    core = build / LAYER_DIR_NAME / "python" / "pydantic_core"
    core.mkdir(parents=True)
    (core / "_pydantic_core.cpython-313-aarch64-linux-gnu.so").write_bytes(arm.read_bytes())
    compiled = build / LAYER_DIR_NAME / "python" / "model_catalog" / "__pycache__"
    compiled.mkdir(parents=True)
    (compiled / "__init__.cpython-313.pyc").write_bytes(b"")
    (build / "ListModelsFunction").mkdir()
    assert check_build(build) == ["ListModelsFunction has no app.py"]
    (build / "ListModelsFunction" / "app.py").write_text("")
    assert check_build(build) == []
    (compiled / "__init__.cpython-311.pyc").write_bytes(b"")
    stale = "CatalogLayer/python/model_catalog/__pycache__/__init__.cpython-311.pyc"
    assert check_build(build) == [f"{stale} is bytecode of another Python than Lambda's 3.13"]
    (compiled / "__init__.cpython-311.pyc").unlink()
    (build / LAYER_DIR_NAME / "python" / "botocore").mkdir()
    assert check_build(build) == ["CatalogLayer/python/botocore is in the layer: the Lambda runtime provides it"]
    (build / LAYER_DIR_NAME / "python" / "botocore").rmdir()
    (core / "other.cpython-313-x86_64-linux-gnu.so").write_bytes(x86.read_bytes())
    bad = "CatalogLayer/python/pydantic_core/other.cpython-313-x86_64-linux-gnu.so"
    assert check_build(build) == [f"{bad} is built for x86_64, not aarch64"]


def main(argv: list[str]) -> int:
    build_dir = Path(argv[1]) if len(argv) > 1 else DEFAULT_BUILD_DIR
    problems = check_build(build_dir)
    for problem in problems:
        print(f"sam-check-arch: {problem}", file=sys.stderr)
    if problems:
        return 1
    count = len(shared_objects(build_dir))
    print(
        f"sam-check-arch: {count} shared objects under {build_dir}, all aarch64 (pydantic-core included); "
        "no boto3/botocore in the layer"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
