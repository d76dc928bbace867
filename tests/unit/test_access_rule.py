"""Account access in the domain: the callable rule and its reasons (API.md, "Account access"), the book of
answers and what is due, and what the catalog serves with the check on: lists and retrieves hold the
models callable (or unknown) somewhere, search's ``callable`` picks, a retrieve of an uncallable model is a
404 that says why."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from model_catalog.api.bodies import AccessReason
from model_catalog.api.operations import get_anthropic_model, get_openai_model, list_openai_models, search_models
from model_catalog.api.params import SearchQuery, parse_query
from model_catalog.api.views import access_status
from model_catalog.domain.access import (
    REASONS,
    AccessBook,
    AccessRule,
    Availability,
    access_of,
    is_served,
)
from model_catalog.domain.catalog import Catalog
from model_catalog.domain.normalize import RegionListing
from model_catalog.domain.records import ModelAccess
from model_catalog.domain.routes import RouteTable
from model_catalog.errors import ConfigurationError, InvalidRequestError, ModelNotFoundError
from model_catalog.service import CatalogState
from model_catalog.settings import Settings
from tests.unit.conftest import snapshots_of

Answers = dict[str, dict[str, Availability]]


def answer(
    authorization: str = "AUTHORIZED",
    entitlement: str = "AVAILABLE",
    region: str = "AVAILABLE",
    agreement: str = "AVAILABLE",
    at: float = 1_000.0,
) -> Availability:
    return Availability(authorization, entitlement, region, agreement, at)


# --- the rule ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "auto_subscribe", "expected"),
    [
        (answer(), False, ModelAccess(True)),
        (answer(authorization="NOT_AUTHORIZED"), False, ModelAccess(False, ("unauthorized",))),
        (answer(entitlement="NOT_AVAILABLE"), False, ModelAccess(False, ("unentitled",))),
        (answer(region="NOT_AVAILABLE"), False, ModelAccess(False, ("region_unavailable",))),
        (answer(agreement="NOT_AVAILABLE"), False, ModelAccess(False, ("no_agreement",))),
        (answer(agreement="PENDING"), False, ModelAccess(False, ("agreement_pending",))),
        (answer(agreement="ERROR"), False, ModelAccess(False, ("agreement_error",))),
        # MARKETPLACE_AUTO_SUBSCRIBE: the first call subscribes, so only an agreement in ERROR blocks.
        (answer(agreement="NOT_AVAILABLE"), True, ModelAccess(True)),
        (answer(agreement="PENDING"), True, ModelAccess(True)),
        (answer(agreement="ERROR"), True, ModelAccess(False, ("agreement_error",))),
        (answer(authorization="NOT_AUTHORIZED", agreement="PENDING"), True, ModelAccess(False, ("unauthorized",))),
        # Every reason that holds, in API.md's order.
        (
            answer("NOT_AUTHORIZED", "NOT_AVAILABLE", "NOT_AVAILABLE", "ERROR"),
            False,
            ModelAccess(False, ("unauthorized", "unentitled", "region_unavailable", "agreement_error")),
        ),
        # A value Bedrock adds later is not AUTHORIZED / AVAILABLE: not callable, never guessed.
        (answer(authorization="SOMETHING_NEW"), False, ModelAccess(False, ("unauthorized",))),
        (None, False, ModelAccess(None)),  # never checked: unknown
        (None, True, ModelAccess(None)),
    ],
)
def test_the_callable_rule_and_its_reasons(
    given: Availability | None, auto_subscribe: bool, expected: ModelAccess
) -> None:
    assert access_of(given, auto_subscribe) == expected


def test_the_documented_reasons_are_the_rule_s() -> None:
    assert get_args(AccessReason) == REASONS


# --- the book -----------------------------------------------------------------------------------------


def test_due_pairs_are_the_unchecked_and_those_older_than_the_age() -> None:
    book = AccessBook({"us-east-1": {"a.young": answer(at=1_000.0), "a.old": answer(at=100.0)}})
    pairs = [("us-east-1", "a.young"), ("us-east-1", "a.old"), ("us-east-1", "a.new"), ("eu-west-1", "a.young")]
    assert book.due(pairs, now=1_500.0, max_age_seconds=1_000) == [
        ("us-east-1", "a.old"),
        ("us-east-1", "a.new"),
        ("eu-west-1", "a.young"),  # answers are per region
    ]
    assert book.due(pairs[:1], now=2_000.0, max_age_seconds=1_000) == [("us-east-1", "a.young")]  # age reached


def test_a_merge_keeps_the_newer_answer_of_each_pair_and_is_the_same_book_when_nothing_is_newer() -> None:
    book = AccessBook({"us-east-1": {"m.x": answer(at=10.0)}})
    assert book.merged({"us-east-1": {"m.x": answer(agreement="ERROR", at=5.0)}}) is book
    newer = book.merged({"us-east-1": {"m.x": answer(agreement="ERROR", at=20.0)}, "eu-west-1": {"m.x": answer()}})
    assert newer is not book
    assert newer.get("us-east-1", "m.x") == answer(agreement="ERROR", at=20.0)
    assert newer.get("eu-west-1", "m.x") == answer()
    assert book.get("us-east-1", "m.x") == answer(at=10.0)  # a book never changes
    assert newer.checked_at == 1_000.0 and AccessBook().checked_at is None


# --- the catalog with the check on --------------------------------------------------------------------

REGIONS = ("us-east-1", "us-west-2", "eu-west-1")
HAIKU = "anthropic.claude-haiku-4-5-20251001-v1:0"
TITAN_EMBED = "amazon.titan-embed-text-v2:0"


def catalog_with(
    doc: dict[str, Any], answers: dict[str, dict[str, Availability]] | None, auto: bool = False
) -> Catalog:
    """The fixture's catalog of REGIONS; every model callable everywhere, but for ``answers``; None: check off."""
    listings = {r: RegionListing.of(s) for r, s in snapshots_of(doc, REGIONS).items()}
    if answers is None:
        return Catalog.from_listings(listings, REGIONS, RouteTable.build("/anthropic", ""))
    everything = {r: {m: answer() for m in listing.available} for r, listing in listings.items()}
    for region, models in answers.items():
        everything.setdefault(region, {}).update(models)
    rule = AccessRule(AccessBook(everything), auto)
    return Catalog.from_listings(listings, REGIONS, RouteTable.build("/anthropic", ""), access=rule)


def state(catalog: Catalog) -> CatalogState:
    return CatalogState(catalog, stale=False, age_seconds=0)


def nowhere(model_id: str, doc: dict[str, Any], **statuses: str) -> Answers:
    """``model_id`` answered with ``statuses`` in each region of REGIONS that offers it."""
    listings = {r: RegionListing.of(s) for r, s in snapshots_of(doc, REGIONS).items()}
    given = answer(**statuses)  # type: ignore[arg-type]  # statuses only, never the time
    return {r: {model_id: given} for r, listing in listings.items() if model_id in listing.available}


def test_with_the_check_off_records_carry_null_access_and_every_model_is_served(snapshot_doc: dict[str, Any]) -> None:
    catalog = catalog_with(snapshot_doc, None)
    assert not catalog.access.on
    assert all(r.access is None and r.callable_regions is None for r in catalog.models)
    assert catalog.models == catalog.available.ordered
    assert catalog.not_callable == ()


def test_records_say_per_region_where_they_are_callable_and_why_not(snapshot_doc: dict[str, Any]) -> None:
    answers = {
        "us-east-1": {HAIKU: answer(agreement="PENDING")},
        "us-west-2": {HAIKU: answer(authorization="NOT_AUTHORIZED", agreement="NOT_AVAILABLE")},
    }
    catalog = catalog_with(snapshot_doc, answers)
    haiku = catalog.all.by_id[HAIKU]
    assert haiku.access is not None
    assert set(haiku.access) == set(haiku.regions)  # one entry for each region in regions
    assert haiku.access["us-east-1"] == ModelAccess(False, ("agreement_pending",))
    assert haiku.access["us-west-2"] == ModelAccess(False, ("unauthorized", "no_agreement"))
    assert haiku.access["eu-west-1"] == ModelAccess(True)
    assert haiku.callable_regions == ("eu-west-1",)
    assert is_served(haiku)


def test_a_model_callable_nowhere_leaves_the_lists_and_the_default_search(snapshot_doc: dict[str, Any]) -> None:
    catalog = catalog_with(snapshot_doc, nowhere(HAIKU, snapshot_doc, entitlement="NOT_AVAILABLE"))
    assert HAIKU in catalog.available.by_id
    assert HAIKU not in catalog.all.by_id
    assert catalog.anthropic is not None and HAIKU not in catalog.anthropic.by_id
    assert HAIKU not in [m["id"] for m in list_openai_models(state(catalog))["data"]]
    assert HAIKU not in [m["id"] for m in search_models(state(catalog), SearchQuery())]
    assert [r.id for r in catalog.not_callable] == [HAIKU]
    assert catalog.callable_count == len(catalog.available.ordered) - 1


def test_unknown_access_is_served(snapshot_doc: dict[str, Any]) -> None:
    listings = {r: RegionListing.of(s) for r, s in snapshots_of(snapshot_doc, REGIONS).items()}
    rule = AccessRule(AccessBook({"us-east-1": {HAIKU: answer(authorization="NOT_AUTHORIZED")}}))
    catalog = Catalog.from_listings(listings, REGIONS, RouteTable.build("/anthropic", ""), access=rule)
    haiku = catalog.all.by_id[HAIKU]  # refused in us-east-1, never checked elsewhere
    assert haiku.access is not None and haiku.access["us-west-2"] == ModelAccess(None)
    assert haiku.callable_regions == ()
    assert len(catalog.models) == len(catalog.available.ordered)  # nothing else is known: all served
    assert catalog.callable_count == 0


def test_search_callable_true_false_any(snapshot_doc: dict[str, Any]) -> None:
    catalog = catalog_with(snapshot_doc, nowhere(HAIKU, snapshot_doc, agreement="ERROR"))

    def ids(**params: str) -> list[str]:
        return [m["id"] for m in search_models(state(catalog), parse_query(SearchQuery, params))]

    served = [r.id for r in catalog.models]
    assert ids() == ids(callable="true") == ids(callable="TRUE") == served
    assert ids(callable="false") == [HAIKU]
    assert ids(callable="any") == sorted([*served, HAIKU])
    assert ids(callable="false", output_modalities="EMBEDDINGS") == []  # AND with the other filters
    (details,) = search_models(state(catalog), parse_query(SearchQuery, {"callable": "false"}))
    assert details["callable_regions"] == []
    assert details["access"] == {r: {"callable": False, "reasons": ["agreement_error"]} for r in details["regions"]}
    # An MCP argument may be a JSON boolean.
    assert [m["id"] for m in search_models(state(catalog), parse_query(SearchQuery, {"callable": False}))] == [HAIKU]


@pytest.mark.parametrize("value", ["maybe", "1", "true,false"])
def test_a_bad_callable_is_a_400_that_names_it(snapshot_doc: dict[str, Any], value: str) -> None:
    catalog = catalog_with(snapshot_doc, {})
    with pytest.raises(InvalidRequestError) as raised:
        search_models(state(catalog), parse_query(SearchQuery, {"callable": value}))
    assert raised.value.param == "callable" and "true, false, any" in raised.value.message


@pytest.mark.parametrize("value", ["true", "false", "any"])
def test_callable_with_the_check_off_is_a_400_that_names_the_setting(snapshot_doc: dict[str, Any], value: str) -> None:
    with pytest.raises(InvalidRequestError) as raised:
        search_models(state(catalog_with(snapshot_doc, None)), parse_query(SearchQuery, {"callable": value}))
    assert raised.value.param == "callable" and "ACCESS_CHECK" in raised.value.message


def test_a_retrieve_of_a_model_this_account_cannot_call_is_a_404_that_says_why(snapshot_doc: dict[str, Any]) -> None:
    answers = nowhere(HAIKU, snapshot_doc, authorization="NOT_AUTHORIZED")
    answers["us-east-1"][HAIKU] = answer(agreement="PENDING")
    catalog = catalog_with(snapshot_doc, answers)
    for retrieve in (get_anthropic_model, get_openai_model):
        for name in (HAIKU, "claude-haiku-4-5", f"us.{HAIKU}"):
            with pytest.raises(ModelNotFoundError) as raised:
                retrieve(state(catalog), name)
            message = str(raised.value)
            assert "cannot call" in message and "us-east-1: agreement_pending" in message, message
            assert "us-west-2: unauthorized" in message
    with pytest.raises(ModelNotFoundError) as raised:
        get_openai_model(state(catalog), "no.such-model")
    assert "cannot call" not in str(raised.value)


def test_an_embedding_model_nobody_can_call_says_so_on_the_anthropic_route(snapshot_doc: dict[str, Any]) -> None:
    catalog = catalog_with(snapshot_doc, nowhere(TITAN_EMBED, snapshot_doc, region="NOT_AVAILABLE"))
    with pytest.raises(ModelNotFoundError, match="region_unavailable"):
        get_anthropic_model(state(catalog), TITAN_EMBED)
    served = catalog_with(snapshot_doc, {})
    with pytest.raises(ModelNotFoundError, match="not a TEXT -> TEXT model"):
        get_anthropic_model(state(served), TITAN_EMBED)


def test_auto_subscribe_serves_a_model_whose_agreement_is_pending(snapshot_doc: dict[str, Any]) -> None:
    pending = nowhere(HAIKU, snapshot_doc, agreement="PENDING")
    assert HAIKU not in catalog_with(snapshot_doc, pending).all.by_id
    assert HAIKU in catalog_with(snapshot_doc, pending, auto=True).all.by_id


def test_status_says_when_access_was_last_checked_and_how_many_models_are_callable(
    snapshot_doc: dict[str, Any],
) -> None:
    assert access_status(catalog_with(snapshot_doc, None)) is None  # the check off
    catalog = catalog_with(snapshot_doc, nowhere(HAIKU, snapshot_doc, agreement="ERROR"))
    assert access_status(catalog) == {
        "checked_at": "1970-01-01T00:16:40Z",  # the latest answer: at 1000 s
        "callable": len(catalog.available.ordered) - 1,
    }
    listings = {r: RegionListing.of(s) for r, s in snapshots_of(snapshot_doc, REGIONS).items()}
    never = Catalog.from_listings(
        listings, REGIONS, RouteTable.build("/anthropic", ""), access=AccessRule(AccessBook())
    )
    assert access_status(never) == {"checked_at": None, "callable": 0}


# --- settings -----------------------------------------------------------------------------------------


def test_access_settings_defaults_and_the_snapshot_turns_the_check_off(tmp_path: Any) -> None:
    settings = Settings.from_environ({})
    assert settings.access_check and settings.access_check_on
    assert settings.access_check_seconds == 86400 and not settings.marketplace_auto_subscribe
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text("{}")
    assert not Settings.from_environ({"CATALOG_SNAPSHOT": str(snapshot)}).access_check_on  # no access data
    assert not Settings.from_environ({"ACCESS_CHECK": "false"}).access_check_on
    on = Settings.from_environ({"ACCESS_CHECK": "TRUE", "MARKETPLACE_AUTO_SUBSCRIBE": "true"})
    assert on.access_check_on and on.marketplace_auto_subscribe


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ACCESS_CHECK", "yes"),
        ("ACCESS_CHECK", ""),
        ("MARKETPLACE_AUTO_SUBSCRIBE", "1"),
        ("ACCESS_CHECK_SECONDS", "10"),
    ],
)
def test_bad_access_settings_stop_the_cold_start_naming_the_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=variable):
        Settings.from_environ({variable: value})
