"""Which models this account can call, as API.md's "Account access" says.

Bedrock answers ``GetFoundationModelAvailability`` per model and region; an ``Availability`` is that
answer and when it came. The rule that turns it into callable-or-not with reasons is pure, so it is the
same for every route; ``AccessBook`` holds the latest answer per (region, model), and says which pairs
are due for a check."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from model_catalog.domain.records import ModelAccess, ModelRecord

UNAUTHORIZED = "unauthorized"
UNENTITLED = "unentitled"
REGION_UNAVAILABLE = "region_unavailable"
NO_AGREEMENT = "no_agreement"
PENDING = "agreement_pending"
ERROR = "agreement_error"
REASONS = (UNAUTHORIZED, UNENTITLED, REGION_UNAVAILABLE, NO_AGREEMENT, PENDING, ERROR)


@dataclass(frozen=True, slots=True)
class Availability:
    """One ``GetFoundationModelAvailability`` answer, its values as Bedrock spells them."""

    authorization: str  # authorizationStatus: AUTHORIZED | NOT_AUTHORIZED
    entitlement: str  # entitlementAvailability: AVAILABLE | NOT_AVAILABLE
    region: str  # regionAvailability: AVAILABLE | NOT_AVAILABLE
    agreement: str  # agreementAvailability.status: AVAILABLE | PENDING | NOT_AVAILABLE | ERROR
    checked_at: float  # unix seconds


UNKNOWN = ModelAccess(None)


def access_of(answer: Availability | None, auto_subscribe: bool = False) -> ModelAccess:
    """The rule. With ``auto_subscribe`` (MARKETPLACE_AUTO_SUBSCRIBE) the first call subscribes the
    account, so only an agreement in ERROR stands in the way."""
    if answer is None:
        return UNKNOWN
    reasons = []
    if answer.authorization != "AUTHORIZED":
        reasons.append(UNAUTHORIZED)
    if answer.entitlement != "AVAILABLE":
        reasons.append(UNENTITLED)
    if answer.region != "AVAILABLE":
        reasons.append(REGION_UNAVAILABLE)
    if answer.agreement == "ERROR":
        reasons.append(ERROR)
    elif answer.agreement != "AVAILABLE" and not auto_subscribe:
        reasons.append(PENDING if answer.agreement == "PENDING" else NO_AGREEMENT)
    return ModelAccess(not reasons, tuple(reasons))


@dataclass(slots=True)
class AccessCheckReport:
    """What one round of checks brought: the answers per region and model, and what failed."""

    answers: dict[str, dict[str, Availability]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)  # region -> the error that stopped or spoiled it
    # region -> the kind of failure (SourceError.reason) that stopped it: throttled, access denied, unreachable
    stopped: dict[str, str] = field(default_factory=dict)
    calls: int = 0  # calls made (each retried by botocore within)
    unanswered: int = 0  # pairs asked that brought no answer

    @property
    def answered(self) -> int:
        return sum(len(models) for models in self.answers.values())


class AccessBook:
    """The latest answer per (region, model id). Never changed once built: a check makes a new book, so
    a catalog built from one knows whether it is still current by identity."""

    def __init__(self, answers: Mapping[str, Mapping[str, Availability]] | None = None) -> None:
        self._answers = {region: dict(models) for region, models in (answers or {}).items()}

    def get(self, region: str, model_id: str) -> Availability | None:
        return self._answers.get(region, {}).get(model_id)

    def region(self, region: str) -> Mapping[str, Availability]:
        return self._answers.get(region, {})

    @property
    def checked_at(self) -> float | None:
        """When the latest answer came."""
        return max((a.checked_at for models in self._answers.values() for a in models.values()), default=None)

    def due(self, pairs: Iterable[tuple[str, str]], now: float, max_age_seconds: float) -> list[tuple[str, str]]:
        """The (region, model id) pairs with no answer younger than ``max_age_seconds``."""
        return [
            (region, model_id)
            for region, model_id in pairs
            if (answer := self.get(region, model_id)) is None or now - answer.checked_at >= max_age_seconds
        ]

    def merged(self, newer: Mapping[str, Mapping[str, Availability]]) -> AccessBook:
        """This book with ``newer``'s answers where they are newer (per pair); itself when none is."""
        changed = False
        answers = {region: dict(models) for region, models in self._answers.items()}
        for region, models in newer.items():
            known = answers.setdefault(region, {})
            for model_id, answer in models.items():
                current = known.get(model_id)
                if current is None or answer.checked_at > current.checked_at:
                    known[model_id] = answer
                    changed = True
        return AccessBook(answers) if changed else self

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AccessBook) and self._answers == other._answers

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class AccessRule:
    """How the catalog applies the check: off (``book`` None: no access data at all), or on."""

    book: AccessBook | None
    auto_subscribe: bool = False

    @property
    def on(self) -> bool:
        return self.book is not None

    def apply(self, records: Sequence[ModelRecord]) -> list[ModelRecord]:
        """``records`` with ``access`` and ``callable_regions`` filled (left None with the check off)."""
        book = self.book
        if book is None:
            return list(records)
        out = []
        for record in records:
            access = {r: access_of(book.get(r, record.id), self.auto_subscribe) for r in record.regions}
            callable_regions = tuple(r for r, a in access.items() if a.callable)
            out.append(replace(record, access=access, callable_regions=callable_regions))
        return out


OFF = AccessRule(None)


def is_served(record: ModelRecord) -> bool:
    """Served by the lists, retrieves and the default search: callable, or unknown, in at least one
    configured region. Every record is, with the check off."""
    return record.access is None or any(a.callable is not False for a in record.access.values())


def why_not_callable(record: ModelRecord) -> str:
    """For a 404: each region's reasons, ``us-east-1: unauthorized; eu-west-1: no_agreement``."""
    access = record.access or {}
    return "this account cannot call it: " + "; ".join(
        f"{region}: {', '.join(a.reasons) or 'not callable'}" for region, a in access.items()
    )
