"""The committed facts data file is what ``make facts`` extracts from the pinned litellm wheel, and the
overrides file only fills gaps, each value with its source. Nothing here downloads: when ``make facts``
has left the pinned wheel in .cache/facts/, the file is extracted from it again and compared byte for
byte; without it, the file is held to its own provenance (its version is the pin, its entries hash as
recorded, only the fields the catalog reads)."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from model_catalog.domain.facts import DATA_FILE, OVERRIDES_FILE, read_data_file
from tests.conftest import ROOT
from tools.litellm_facts import FIELDS, SOURCE_MEMBER, entries_digest, extract, read_source, render

DATA_PATH = ROOT / "layers" / "catalog" / "model_catalog" / "data" / DATA_FILE


def pinned_version() -> str:
    match = re.search(r"^LITELLM_VERSION \?= (\S+)$", (ROOT / "mk" / "facts.mk").read_text(), re.MULTILINE)
    assert match is not None
    return match.group(1)


def test_the_data_file_is_of_the_pinned_version_and_unedited() -> None:
    data = read_data_file(DATA_FILE)
    provenance = data["provenance"]
    assert provenance["version"] == pinned_version()
    assert (provenance["source"], provenance["license"], provenance["file"]) == ("litellm", "MIT", SOURCE_MEMBER)
    assert re.fullmatch(r"[0-9a-f]{64}", provenance["sha256"])
    assert provenance["entries_sha256"] == entries_digest(data["entries"])  # a value edited by hand fails here
    assert all(set(entry) <= set(FIELDS) for entry in data["entries"].values())
    assert len(data["entries"]) > 500  # every Bedrock entry, not a sample


def test_the_data_file_is_what_the_pinned_wheel_holds() -> None:
    wheels = sorted((ROOT / ".cache" / "facts").glob(f"litellm-{pinned_version()}-*.whl"))
    if not wheels:
        pytest.skip("the pinned wheel is not in .cache/facts/ (make facts puts it there)")
    source = read_source(wheels[0])
    assert render(extract(source, pinned_version())) == DATA_PATH.read_text(encoding="utf-8")


def test_extract_keeps_the_bedrock_entries_and_the_fields_read(tmp_path: Path) -> None:
    document = {
        "sample_spec": {"max_input_tokens": "max input tokens"},
        "anthropic.claude-x": {"litellm_provider": "bedrock_converse", "max_input_tokens": 10, "mode": "chat"},
        "bedrock/eu-west-1/meta.llama-x": {"litellm_provider": "bedrock", "input_cost_per_token": 1e-06},
        "claude-x": {"litellm_provider": "anthropic", "max_input_tokens": 10},
    }
    source = json.dumps(document).encode()
    wheel = tmp_path / "litellm-0.0.1-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(SOURCE_MEMBER, source)
    data = extract(read_source(wheel), "0.0.1")
    assert data["entries"] == {
        "anthropic.claude-x": {"max_input_tokens": 10},
        "bedrock/eu-west-1/meta.llama-x": {"input_cost_per_token": 1e-06},
    }
    assert data["provenance"]["sha256"] == hashlib.sha256(source).hexdigest()  # of the file as the wheel holds it
    assert json.load(io.StringIO(render(data))) == data


def test_each_override_cites_a_public_page_and_fills_a_gap() -> None:
    entries = read_data_file(DATA_FILE)["entries"]
    overrides = read_data_file(OVERRIDES_FILE)["models"]
    assert overrides
    for model_id, fields in overrides.items():
        entry = entries.get(model_id) or entries.get(f"bedrock/{model_id}") or {}
        for name, cited in fields.items():
            assert name in FIELDS, name
            assert cited["url"].startswith("https://"), (model_id, name)
            assert name not in entry, f"{model_id}: the source has {name}; an override never replaces it"
