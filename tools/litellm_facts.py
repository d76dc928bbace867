"""Extract the model facts the catalog ships from one pinned ``litellm`` wheel (``make facts``).

LiteLLM publishes ``model_prices_and_context_window.json`` (MIT); its wheel holds a copy as
``litellm/model_prices_and_context_window_backup.json``. This keeps the Bedrock entries
(``litellm_provider`` ``bedrock`` or ``bedrock_converse``) and only the fields the catalog reads, and
writes them with their provenance into the layer (``model_catalog/data/litellm_bedrock.json``). The
values are copied, never edited: a gap is filled in the overrides file, with its source.

    python -m tools.litellm_facts WHEEL VERSION OUTPUT
"""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

SOURCE_MEMBER = "litellm/model_prices_and_context_window_backup.json"
PROVIDERS = frozenset({"bedrock", "bedrock_converse"})
LICENSE = "MIT"
# Every field model_catalog/domain/facts.py reads, and no other.
FIELDS = (
    "max_input_tokens",
    "max_output_tokens",
    "output_vector_size",
    "supports_function_calling",
    "supports_vision",
    "supports_pdf_input",
    "supports_reasoning",
    "supports_prompt_caching",
    "supports_native_structured_output",
    "supports_computer_use",
    "input_cost_per_token",
    "output_cost_per_token",
    "cache_read_input_token_cost",
    "cache_creation_input_token_cost",
    "output_cost_per_image",
    "deprecation_date",
    "supports_adaptive_thinking",
    "thinking_always_on",
    "supports_output_config",
    "bedrock_output_config_effort_ceiling",
    "reasoning_effort_levels",
    "supports_max_reasoning_effort",
    "supports_xhigh_reasoning_effort",
)


def extract(source: bytes, version: str) -> dict[str, Any]:
    """The data file for ``source`` (the JSON file's bytes, as the wheel holds them)."""
    document = json.loads(source)
    entries = {
        key: {name: entry[name] for name in FIELDS if name in entry}
        for key, entry in sorted(document.items())
        if isinstance(entry, dict) and entry.get("litellm_provider") in PROVIDERS
    }
    return {
        "provenance": {
            "source": "litellm",
            "package": f"litellm=={version}",
            "version": version,
            "file": SOURCE_MEMBER,
            "sha256": hashlib.sha256(source).hexdigest(),
            "license": LICENSE,
            "entries_sha256": entries_digest(entries),
        },
        "entries": entries,
    }


def entries_digest(entries: dict[str, Any]) -> str:
    """A digest of the extracted entries, so a test notices a value edited by hand."""
    canonical = json.dumps(entries, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def read_source(wheel: Path) -> bytes:
    with zipfile.ZipFile(wheel) as archive:
        return archive.read(SOURCE_MEMBER)


def render(data: dict[str, Any]) -> str:
    # One entry a line: small, and a pin bump reads as a diff of the entries that changed.
    entries = data["entries"]
    lines = [json.dumps(k) + ":" + json.dumps(v, sort_keys=True, separators=(",", ":")) for k, v in entries.items()]
    provenance = json.dumps(data["provenance"], indent=1, sort_keys=True)
    return '{"provenance":' + provenance + ',\n"entries":{\n' + ",\n".join(lines) + "\n}}\n"


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        sys.stderr.write(__doc__ or "")
        return 2
    wheel, version, output = Path(argv[0]), argv[1], Path(argv[2])
    data = extract(read_source(wheel), version)
    output.write_text(render(data), encoding="utf-8")
    provenance = data["provenance"]
    sys.stdout.write(f"{output}: {len(data['entries'])} Bedrock entries from {provenance['package']}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
