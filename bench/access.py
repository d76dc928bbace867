"""What the account access check costs a refresh: ``python -m bench.access`` (``make bench-access``).

Two figures, each a container's first scheduled refresh of the 18 fixture regions with the check on,
every Bedrock call (GetFoundationModelAvailability included) delayed 100 ms at the boto3 boundary, on the
adapters' own clients (the access check makes its own, the first time a check is due in a region):

- every answer due (a new deployment, or once a day): one call per (model, region), CALLS_PER_REGION at
  a time in each region, every region at once. The floor is today's: one call's delay. Its target is the
  plain refresh's (3x) plus one delay per wave of calls in the busiest region, the least the bound allows.
- every answer still young (the other 143 refreshes of a day): no access call at all; target 3x, as the
  plain refresh.

Run on its own, it prints its table; a refresh is timed as bench/refresh.py times it."""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import statistics
import sys
from collections import Counter
from dataclasses import dataclass

from bench.refresh import PAGE_SIZE, timed_first_refresh
from model_catalog.access_keeper import AccessKeeper
from model_catalog.adapters.bedrock import BedrockSource, default_client_factory
from model_catalog.adapters.bedrock_access import CALLS_PER_REGION, BedrockAccessChecker
from model_catalog.adapters.bedrock_access import default_client_factory as access_client_factory
from model_catalog.domain.access import AccessBook
from model_catalog.domain.routes import RouteTable
from model_catalog.service import CatalogService
from tests.conftest import ALL_REGIONS, SNAPSHOT
from tests.fake_access import OPERATION, FakeAccess
from tests.fakes import FakeBedrock

DELAY_SECONDS = 0.1
DAY = 86400


@dataclass(frozen=True)
class Run:
    seconds: float
    access_calls: int


def refresh(bedrock: FakeBedrock, access: FakeAccess, book: AccessBook | None) -> tuple[Run, AccessBook]:
    """One container's first refresh, its access book ``book`` (as read from the table; None: the check
    off, as today): time and calls."""
    source = BedrockSource(bedrock.client_factory(default_client_factory()))
    make_access_client = access_client_factory()  # the adapter's own, answered by the fake
    checker = BedrockAccessChecker(lambda region: access.install(make_access_client(region), region))
    keeper = AccessKeeper(checker, None, DAY)
    keeper.book = book or AccessBook()
    service = CatalogService(
        regions=ALL_REGIONS,
        routes=RouteTable.build("/anthropic", ""),
        source=source,
        store=None,
        fresh_seconds=900,
        max_stale_seconds=DAY,
        access=keeper if book is not None else None,
    )
    elapsed, calls = timed_first_refresh(service, lambda: access.total_calls)
    return Run(elapsed, calls), keeper.book


# Fake credentials, no metadata service, no config files, and a Bedrock endpoint that is nowhere: every
# call is answered by the fakes at the boto3 boundary, none could leave the machine.
SANDBOX = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_ENDPOINT_URL_BEDROCK": "http://127.0.0.1:9",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.access", description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="refreshes per figure (the median is shown)")
    args = parser.parse_args(argv)
    os.environ.update(SANDBOX)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    doc = json.loads(SNAPSHOT.read_text())
    bedrock = FakeBedrock(doc, rounds=3 * args.runs + 2, page_size=PAGE_SIZE, delay=DELAY_SECONDS)
    access = FakeAccess(delay=DELAY_SECONDS)

    warmup, book = refresh(bedrock, access, AccessBook())  # imports; the fakes build their answers once
    pairs = warmup.access_calls
    due, young, off = [], [], []
    for _ in range(args.runs):  # interleaved: the machine's noise falls on every figure alike
        due.append(refresh(bedrock, access, AccessBook())[0])
        young.append(refresh(bedrock, access, book)[0])
        off.append(refresh(bedrock, access, None)[0])
    if {r.access_calls for r in due} != {pairs} or {r.access_calls for r in young} != {0}:
        raise RuntimeError(f"unexpected access calls: {[r.access_calls for r in due + young]}")

    busiest = max(Counter(region for region, _ in access.calls).values())  # distinct pairs per region
    waves = math.ceil(busiest / CALLS_PER_REGION)
    due_s, young_s = statistics.median(r.seconds for r in due), statistics.median(r.seconds for r in young)
    off_s = statistics.median(r.seconds for r in off)
    floor = DELAY_SECONDS

    def row(name: str, seconds: float, base: float, target: float, target_is: str) -> tuple[str, ...]:
        met = "yes" if seconds <= target * base else "NO"
        return (name, f"{seconds * 1e3:.0f} ms", f"{base * 1e3:.0f} ms", f"{seconds / base:.2f}x", target_is, met)

    rows = [
        ("figure", "measured", "floor", "ratio", "target", "met"),
        row("full refresh, 18 regions, check off (today's)", off_s, floor, 3, "<= 3x"),
        row("full refresh, 18 regions, every access answer young", young_s, floor, 3, "<= 3x"),
        row(
            f"full refresh, 18 regions, {pairs} access checks due",
            due_s,
            floor,
            3 + waves,
            f"<= {3 + waves}x (3x + {waves} waves of {CALLS_PER_REGION})",
        ),
        # What the check adds to the refresh, against the least the bound allows: one delay per wave.
        row("the check's part of it (due - off)", due_s - off_s, waves * floor, 1.5, f"<= 1.5x of {waves} waves"),
        (f"{OPERATION} calls, answers due", str(pairs), str(pairs), "1.00x", "1 per (model, region)", "yes"),
        (f"{OPERATION} calls, answers young", "0", "0", "-", "0", "yes"),
    ]
    widths = [max(len(line[i]) for line in rows) for i in range(len(rows[0]))]
    for number, line in enumerate(rows):
        print(" | ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
        if number == 0:
            print("-+-".join("-" * width for width in widths))
    print(f"\nbusiest region: {busiest} models; {args.runs} runs each, medians", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
