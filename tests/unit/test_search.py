"""search_models on the real fixture (18 regions): every filter, its spellings, the AND rule, the 400s
and the ModelDetails of multi-region models, read off the fixture by hand."""

from __future__ import annotations

from typing import Any

import pytest

from model_catalog.api.operations import search_models
from model_catalog.api.params import SearchQuery, parse_query
from model_catalog.domain.catalog import Catalog
from model_catalog.errors import InvalidRequestError
from model_catalog.service import CatalogState
from tests.conftest import ALL_REGIONS
from tests.unit.conftest import catalog_of


def found(catalog: Catalog, **params: Any) -> list[str]:
    """The ids search_models answers for these query parameters, in the order it answers them."""
    query = parse_query(SearchQuery, params)
    return [d["id"] for d in search_models(CatalogState(catalog, stale=False, age_seconds=0), query)]


def refused(catalog: Catalog, **params: Any) -> InvalidRequestError:
    with pytest.raises(InvalidRequestError) as caught:
        found(catalog, **params)
    return caught.value


def details(catalog: Catalog, model_id: str) -> dict[str, Any]:
    state = CatalogState(catalog, stale=False, age_seconds=0)
    return next(d for d in search_models(state, SearchQuery()) if d["id"] == model_id)


# --- no filter, order ---------------------------------------------------------------------------------


def test_no_filter_is_every_available_model_sorted_by_id(catalog: Catalog) -> None:
    ids = found(catalog)
    assert len(ids) == len(catalog) == 118
    assert ids == sorted(ids)
    assert "amazon.nova-pro-v1:0:300k" not in ids  # a provisioned-only variant is not available


# --- each filter, checked by hand against the fixture -------------------------------------------------

SPEECH_IN = [
    "amazon.nova-2-multimodal-embeddings-v1:0",
    "amazon.nova-2-sonic-v1:0",
    "amazon.nova-sonic-v1:0",
    "mistral.voxtral-mini-3b-2507",
    "mistral.voxtral-small-24b-2507",
    "twelvelabs.marengo-embed-2-7-v1:0",
    "twelvelabs.marengo-embed-3-0-v1:0",
]
AUDIO_OUT = ["amazon.nova-2-sonic-v1:0", "amazon.nova-sonic-v1:0"]
VIDEO_OUT = ["amazon.nova-reel-v1:0", "amazon.nova-reel-v1:1", "luma.ray-v2:0"]
EMBEDDINGS_OUT = [
    "amazon.nova-2-multimodal-embeddings-v1:0",
    "amazon.titan-embed-g1-text-02",
    "amazon.titan-embed-image-v1",
    "amazon.titan-embed-text-v1",
    "amazon.titan-embed-text-v2:0",
    "cohere.embed-english-v3",
    "cohere.embed-multilingual-v3",
    "cohere.embed-v4:0",
    "twelvelabs.marengo-embed-2-7-v1:0",
    "twelvelabs.marengo-embed-3-0-v1:0",
]


def test_input_modality(catalog: Catalog) -> None:
    assert found(catalog, input_modalities="SPEECH") == SPEECH_IN
    video = found(catalog, input_modalities="VIDEO")
    assert "twelvelabs.pegasus-1-2-v1:0" in video and "amazon.nova-pro-v1:0" in video
    assert all("VIDEO" in catalog.all.by_id[i].input_modalities for i in video)


def test_output_modality(catalog: Catalog) -> None:
    assert found(catalog, output_modalities="AUDIO") == AUDIO_OUT
    assert found(catalog, output_modalities="VIDEO") == VIDEO_OUT
    assert found(catalog, output_modalities="EMBEDDINGS") == EMBEDDINGS_OUT


@pytest.mark.parametrize("spelling", ["TEXT", "text", "Text", " text "])
def test_modalities_are_case_insensitive(catalog: Catalog, spelling: str) -> None:
    assert found(catalog, input_modalities=spelling) == found(catalog, input_modalities="TEXT")
    assert found(catalog, output_modalities=spelling) == found(catalog, output_modalities="TEXT")


@pytest.mark.parametrize(
    ("param", "synonym", "canonical"),
    [
        ("output_modalities", "EMBEDDING", "EMBEDDINGS"),
        ("output_modalities", "embedding", "EMBEDDINGS"),
        ("output_modalities", "SPEECH", "AUDIO"),  # Bedrock's SPEECH out is audio
        ("input_modalities", "AUDIO", "SPEECH"),  # and its AUDIO in is speech
    ],
)
def test_synonyms(catalog: Catalog, param: str, synonym: str, canonical: str) -> None:
    assert found(catalog, **{param: synonym}) == found(catalog, **{param: canonical}) != []


def test_several_modalities_mean_all_of_them(catalog: Catalog) -> None:
    comma = found(catalog, input_modalities="TEXT,IMAGE,VIDEO")
    assert comma == found(catalog, input_modalities=["TEXT", "IMAGE", "VIDEO"])  # repeated
    assert comma == found(catalog, input_modalities=["text, image", "video"])
    assert "amazon.nova-pro-v1:0" in comma and "twelvelabs.pegasus-1-2-v1:0" not in comma  # pegasus: no IMAGE
    assert set(comma) < set(found(catalog, input_modalities="VIDEO"))
    # Both outputs: only the sonic models speak and write.
    assert found(catalog, output_modalities="TEXT,AUDIO") == AUDIO_OUT
    # The same value twice is that value once.
    assert found(catalog, output_modalities="AUDIO,audio") == AUDIO_OUT


def test_region(catalog: Catalog) -> None:
    in_paris = found(catalog, region="eu-west-3")
    assert "anthropic.claude-haiku-4-5-20251001-v1:0" in in_paris
    assert "amazon.nova-2-sonic-v1:0" not in in_paris  # on demand in 4 regions only
    assert found(catalog, region="EU-WEST-3") == in_paris
    assert all("eu-west-3" in catalog.all.by_id[i].regions for i in in_paris)
    assert len(in_paris) == sum("eu-west-3" in m.regions for m in catalog.models)


def test_several_regions_mean_available_in_each(catalog: Catalog) -> None:
    both = found(catalog, region="us-east-1,eu-north-1")
    assert both == found(catalog, region=["us-east-1", "eu-north-1"])
    assert set(both) == set(found(catalog, region="us-east-1")) & set(found(catalog, region="eu-north-1"))
    assert "amazon.nova-2-sonic-v1:0" in both  # us-east-1 and eu-north-1 are two of its four


@pytest.mark.parametrize("flag", ["streaming", "legacy"])
def test_booleans_split_the_catalog(catalog: Catalog, flag: str) -> None:
    yes, no = found(catalog, **{flag: "true"}), found(catalog, **{flag: "false"})
    assert yes and no and not set(yes) & set(no)
    assert sorted(yes + no) == found(catalog)
    assert found(catalog, **{flag: "TRUE"}) == found(catalog, **{flag: "True"}) == yes
    assert found(catalog, **{flag: "true,true"}) == yes  # repeated
    assert found(catalog, **{flag: "true,false"}) == []  # AND: no model is both


def test_legacy_and_streaming_by_hand(catalog: Catalog) -> None:
    legacy = found(catalog, legacy="true")
    assert "anthropic.claude-3-5-haiku-20241022-v1:0" in legacy and "amazon.nova-canvas-v1:0" in legacy
    assert "anthropic.claude-haiku-4-5-20251001-v1:0" not in legacy
    not_streaming = found(catalog, streaming="false")
    assert set(EMBEDDINGS_OUT) <= set(not_streaming)
    assert "anthropic.claude-sonnet-4-5-20250929-v1:0" not in not_streaming


def test_filters_combine_with_and(catalog: Catalog) -> None:
    ids = found(catalog, route="openai_chat_completion", legacy="false", region="eu-west-3", input_modalities="IMAGE")
    expected = {
        m.id
        for m in catalog.models
        if m.supports("TEXT", "TEXT") and not m.legacy and "eu-west-3" in m.regions and "IMAGE" in m.input_modalities
    }
    assert set(ids) == expected
    assert "anthropic.claude-sonnet-4-5-20250929-v1:0" in ids
    assert "anthropic.claude-sonnet-4-20250514-v1:0" not in ids  # legacy
    assert "amazon.nova-micro-v1:0" not in ids  # no IMAGE input


# --- route: path or tool name -------------------------------------------------------------------------


def test_every_route_by_path_and_by_tool_name_gives_the_same_answer(catalog: Catalog) -> None:
    for route in catalog.routes.routes:
        by_tool = found(catalog, route=route.tool)
        assert found(catalog, route=route.path) == by_tool, route
        assert all(route.tool in details(catalog, i)["supported_mcp_tools"] for i in by_tool)


def test_route_spellings(catalog: Catalog) -> None:
    chat = found(catalog, route="/v1/chat/completions")
    assert chat and found(catalog, route="v1/chat/completions/") == chat
    assert found(catalog, route="OpenAI_Chat_Completion") == chat
    assert found(catalog, route="/anthropic/v1/messages") == chat  # both need TEXT -> TEXT
    assert found(catalog, route="/anthropic/v1/models/{model_id}") == chat


def test_routes_by_hand(catalog: Catalog) -> None:
    assert found(catalog, route="openai_embedding") == EMBEDDINGS_OUT  # each one embeds TEXT too
    assert found(catalog, route="/v1/audio/transcriptions") == [
        "amazon.nova-2-sonic-v1:0",
        "amazon.nova-sonic-v1:0",
        "mistral.voxtral-mini-3b-2507",
        "mistral.voxtral-small-24b-2507",
    ]
    images = found(catalog, route="/v1/images/generations")
    assert images == found(catalog, route="openai_image_generation")
    assert "amazon.nova-canvas-v1:0" in images and "stability.sd3-5-large-v1:0" in images
    assert found(catalog, route="search_models") == found(catalog) == found(catalog, route="/v1/models")


def test_anthropic_model_list_route_is_the_anthropic_view(catalog: Catalog) -> None:
    assert catalog.anthropic is not None
    assert found(catalog, route="anthropic_model_list") == sorted(m.id for m in catalog.anthropic.ordered)


def test_routes_follow_the_configured_prefixes(snapshot_doc: dict[str, Any]) -> None:
    custom = catalog_of(snapshot_doc, anthropic="claude/")
    assert found(custom, route="/claude/v1/models") == found(custom, route="anthropic_model_list")
    assert "/claude/v1/messages" in details(custom, "anthropic.claude-sonnet-4-6")["supported_routes"]
    error = refused(custom, route="/anthropic/v1/models")
    assert error.param == "route" and "/claude/v1/models" in error.message
    # Equal prefixes: /v1/models is OpenAI's, and the Anthropic models routes leave the table.
    shared = catalog_of(snapshot_doc, anthropic="")
    assert found(shared, route="/v1/models") == found(shared)
    assert refused(shared, route="anthropic_model_list").param == "route"
    assert "anthropic_model_get" not in details(shared, "anthropic.claude-sonnet-4-6")["supported_mcp_tools"]


# --- 400 names the parameter and what it takes; 200 [] for a valid miss ---------------------------


@pytest.mark.parametrize(
    ("params", "param", "names"),
    [
        ({"input_modalities": "TEXT,HOLOGRAM"}, "input_modalities", ["'HOLOGRAM'", "TEXT, IMAGE, SPEECH, VIDEO"]),
        ({"output_modalities": "SMELL"}, "output_modalities", ["'SMELL'", "EMBEDDINGS"]),
        ({"input_modalities": "EMBEDDINGS"}, "input_modalities", ["DOCUMENT"]),  # an output, not an input
        ({"route": "/v1/completions"}, "route", ["/v1/chat/completions", "openai_chat_completion"]),
        ({"route": "openai_chat"}, "route", ["'openai_chat'", "search_models"]),
        ({"region": "mars-north-1"}, "region", ["'mars-north-1'", "us-east-1", "eu-west-3"]),
        ({"streaming": "yes"}, "streaming", ["true or false", "'yes'"]),
        ({"legacy": "1"}, "legacy", ["true or false"]),
        ({"legacy": ""}, "legacy", ["true or false"]),
        ({"modality": "TEXT"}, "modality", ["unknown parameter", "input_modalities", "legacy"]),
    ],
)
def test_bad_values_are_400s_that_name_the_parameter_and_what_it_takes(
    catalog: Catalog, params: dict[str, str], param: str, names: list[str]
) -> None:
    error = refused(catalog, **params)
    assert error.param == param
    for name in names:
        assert name in error.message


def test_a_region_that_is_not_configured_is_a_400(snapshot_doc: dict[str, Any]) -> None:
    two = catalog_of(snapshot_doc, ("us-east-1", "eu-west-1"))
    error = refused(two, region="eu-west-3")  # a real region, but not one of this deployment's
    assert error.param == "region" and "us-east-1, eu-west-1" in error.message


@pytest.mark.parametrize(
    "params",
    [
        {"input_modalities": "DOCUMENT"},  # in the vocabulary; no model of the fixture reads documents
        {"route": "openai_audio_speech"},  # TEXT -> AUDIO: the sonic models take speech, not text
        {"output_modalities": "VIDEO", "streaming": "true"},
        {"route": "openai_embedding", "region": "ap-east-2", "legacy": "true"},
    ],
)
def test_valid_filters_that_match_nothing_are_an_empty_list(catalog: Catalog, params: dict[str, str]) -> None:
    assert found(catalog, **params) == []


def test_an_empty_value_is_no_filter(catalog: Catalog) -> None:
    assert found(catalog, input_modalities="", region=",") == found(catalog)


# --- ModelDetails, by hand ------------------------------------------------------------------------------


LIFECYCLE_AND_FACTS = {
    "lifecycle",
    "deprecated_at",
    "extended_access_at",
    "retires_at",
    "context_window",
    "max_output_tokens",
    "embedding_dimensions",
    "features",
    "pricing",
}


def test_model_details_has_every_field_of_the_reference(catalog: Catalog) -> None:
    reference = {
        "id",
        "name",
        "provider",
        "input_modalities",
        "output_modalities",
        "supported_routes",
        "supported_mcp_tools",
        "regions",
        "response_streaming",
        "legacy",
        "inference_profiles",
    }
    for body in search_models(CatalogState(catalog, stale=False, age_seconds=0), SearchQuery()):
        extras = {"created_at", "aliases", "on_demand_regions", "callable_regions", "access"}
        assert set(body) == reference | extras | LIFECYCLE_AND_FACTS


def test_claude_haiku_4_5_everywhere_through_profiles(catalog: Catalog) -> None:
    # Listed in all 18 regions with INFERENCE_PROFILE only; global.* is ACTIVE in each, plus the
    # geography's own (us. in the four US regions and ca-central-1, eu. in the five EU ones, jp. in
    # Tokyo and Osaka, au. in Sydney).
    assert details(catalog, "anthropic.claude-haiku-4-5-20251001-v1:0") == {
        "id": "anthropic.claude-haiku-4-5-20251001-v1:0",
        "name": "Claude Haiku 4.5",
        "provider": "Anthropic",
        "input_modalities": ["TEXT", "IMAGE"],
        "output_modalities": ["TEXT"],
        "supported_routes": [
            "/v1/chat/completions",
            "/anthropic/v1/messages",
            "/anthropic/v1/models",
            "/anthropic/v1/models/{model_id}",
            "/v1/models",
            "/search_models",
        ],
        "supported_mcp_tools": [
            "openai_chat_completion",
            "anthropic_message",
            "anthropic_model_list",
            "anthropic_model_get",
            "openai_model_list",
            "search_models",
        ],
        "regions": list(ALL_REGIONS),
        "response_streaming": True,
        "legacy": False,
        "inference_profiles": [
            "au.anthropic.claude-haiku-4-5-20251001-v1:0",
            "eu.anthropic.claude-haiku-4-5-20251001-v1:0",
            "global.anthropic.claude-haiku-4-5-20251001-v1:0",
            "jp.anthropic.claude-haiku-4-5-20251001-v1:0",
            "us.anthropic.claude-haiku-4-5-20251001-v1:0",
        ],
        "created_at": "2025-10-15T17:00:00Z",  # modelLifecycle.startOfLifeTime
        "aliases": ["claude-haiku-4-5-20251001", "claude-haiku-4-5"],
        "on_demand_regions": [],  # everywhere only through a profile
        "lifecycle": "active",
        "deprecated_at": None,
        "extended_access_at": None,
        "retires_at": None,
        # From the facts file (litellm 1.110.2), the entry keyed by the id.
        "context_window": 200_000,
        "max_output_tokens": 64_000,
        "embedding_dimensions": None,
        "features": {
            "tool_use": True,
            "vision": True,
            "pdf_input": True,
            "reasoning": True,
            "prompt_caching": True,
            "structured_output": True,
            "computer_use": True,
        },
        "pricing": {
            "currency": "USD",
            "input_per_mtok": 1.0,
            "output_per_mtok": 5.0,
            "cache_read_per_mtok": 0.1,
            "cache_write_per_mtok": 1.25,
            "per_image": None,
            "by_profile": {
                "au.anthropic.claude-haiku-4-5-20251001-v1:0": {"input_per_mtok": 1.1, "output_per_mtok": 5.5},
                "eu.anthropic.claude-haiku-4-5-20251001-v1:0": {"input_per_mtok": 1.1, "output_per_mtok": 5.5},
                "global.anthropic.claude-haiku-4-5-20251001-v1:0": {"input_per_mtok": 1.0, "output_per_mtok": 5.0},
                "jp.anthropic.claude-haiku-4-5-20251001-v1:0": {"input_per_mtok": 1.1, "output_per_mtok": 5.5},
                "us.anthropic.claude-haiku-4-5-20251001-v1:0": {"input_per_mtok": 1.1, "output_per_mtok": 5.5},
            },
            "by_region": {},
        },
        "callable_regions": None,  # the fixture's catalog has no access check
        "access": None,
    }


def test_nova_pro_is_not_in_a_region_where_no_profile_routes_to_it(catalog: Catalog) -> None:
    # Listed with INFERENCE_PROFILE only in 15 regions; in eu-west-2 no ACTIVE profile routes to it,
    # and ap-northeast-3, ca-central-1 and sa-east-1 do not list it.
    nova = details(catalog, "amazon.nova-pro-v1:0")
    assert nova["regions"] == [
        "ap-east-2",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-south-1",
        "ap-southeast-1",
        "ap-southeast-2",
        "eu-central-1",
        "eu-north-1",
        "eu-west-1",
        "eu-west-3",
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
    ]
    assert nova["inference_profiles"] == [
        "apac.amazon.nova-pro-v1:0",
        "eu.amazon.nova-pro-v1:0",
        "us.amazon.nova-pro-v1:0",
    ]
    assert nova["input_modalities"] == ["TEXT", "IMAGE", "VIDEO"] and nova["provider"] == "Amazon"
    assert "amazon.nova-pro-v1:0" not in found(catalog, region="eu-west-2")


def test_cohere_embed_v4(catalog: Catalog) -> None:
    # Every region but ap-east-2 lists it, through global.* everywhere and eu. / us. in those areas.
    embed = details(catalog, "cohere.embed-v4:0")
    assert embed["regions"] == [r for r in ALL_REGIONS if r != "ap-east-2"]
    assert embed["inference_profiles"] == ["eu.cohere.embed-v4:0", "global.cohere.embed-v4:0", "us.cohere.embed-v4:0"]
    assert embed["output_modalities"] == ["EMBEDDINGS"] and embed["response_streaming"] is False
    assert embed["supported_mcp_tools"] == ["openai_embedding", "openai_model_list", "search_models"]
    assert embed["supported_routes"] == ["/v1/embeddings", "/v1/models", "/search_models"]


def test_twelvelabs_pegasus(catalog: Catalog) -> None:
    pegasus = details(catalog, "twelvelabs.pegasus-1-2-v1:0")
    assert pegasus["regions"] == list(ALL_REGIONS)
    assert pegasus["inference_profiles"] == [
        "apac.twelvelabs.pegasus-1-2-v1:0",  # listed in ap-northeast-2 only
        "eu.twelvelabs.pegasus-1-2-v1:0",
        "global.twelvelabs.pegasus-1-2-v1:0",
        "us.twelvelabs.pegasus-1-2-v1:0",
    ]
    assert pegasus["input_modalities"] == ["TEXT", "VIDEO"]


def test_nova_2_sonic_on_demand_in_four_regions(catalog: Catalog) -> None:
    sonic = details(catalog, "amazon.nova-2-sonic-v1:0")
    assert sonic["regions"] == ["ap-northeast-1", "eu-north-1", "us-east-1", "us-west-2"]
    assert sonic["inference_profiles"] == []
    assert sonic["input_modalities"] == ["SPEECH"] and sonic["output_modalities"] == ["AUDIO", "TEXT"]
    assert sonic["supported_mcp_tools"] == ["openai_audio_transcription", "openai_model_list", "search_models"]


def test_claude_3_5_haiku_is_legacy_in_three_us_regions(catalog: Catalog) -> None:
    haiku = details(catalog, "anthropic.claude-3-5-haiku-20241022-v1:0")
    assert haiku["regions"] == ["us-east-1", "us-east-2", "us-west-2"]
    assert haiku["inference_profiles"] == ["us.anthropic.claude-3-5-haiku-20241022-v1:0"]
    assert haiku["legacy"] is True and haiku["created_at"] == "2024-11-04T08:00:00Z"
