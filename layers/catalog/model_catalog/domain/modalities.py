"""The modality vocabulary of responses and filters, and Bedrock's spellings of it."""

from __future__ import annotations

from collections.abc import Iterable

INPUT_MODALITIES: tuple[str, ...] = ("TEXT", "IMAGE", "SPEECH", "VIDEO", "DOCUMENT")
OUTPUT_MODALITIES: tuple[str, ...] = ("TEXT", "IMAGE", "AUDIO", "EMBEDDINGS", "VIDEO")

# Bedrock's names on the left, ours on the right. Direction matters: AUDIO in is speech, SPEECH out
# is audio.
_INPUT_SYNONYMS = {"AUDIO": "SPEECH", "EMBEDDING": "EMBEDDINGS"}
_OUTPUT_SYNONYMS = {"SPEECH": "AUDIO", "EMBEDDING": "EMBEDDINGS"}


def normalize_input(value: str) -> str:
    upper = value.strip().upper()
    return _INPUT_SYNONYMS.get(upper, upper)


def normalize_output(value: str) -> str:
    upper = value.strip().upper()
    return _OUTPUT_SYNONYMS.get(upper, upper)


def normalize_inputs(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(normalize_input(v) for v in values if v and v.strip()))


def normalize_outputs(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(normalize_output(v) for v in values if v and v.strip()))
