"""In-process CPU cost of two hot paths, no sockets: what a loaded machine cannot hide.

    .venv/bin/python -m bench.paths [--rounds 5]

1. GET all, one page of 1,000 stored Locations rendered for a 2.3.0, a 2.2.1 and a 2.1.1 eMSP:
   the stored canonical JSON text of each object turned into the page body
   (``inbound/handlers/_objects.py``: ``egress_json``, ``list_response``); µs per object.
2. Broadcast deliveries: one push to 10 receivers on mixed versions (2.3.0, 2.2.1, 2.1.1
   cycled); per receiver its outbox payload as the claim decodes it, then the request body
   (``outbox/delivery.py``: ``prepare`` through the worker's translator) encoded for the wire;
   µs per delivery.

CPU time (``time.process_time``) of the best of ``--rounds``: other work on the machine slows
these far less than it slows the end-to-end benchmarks. Run it in two checkouts to compare.
"""

from __future__ import annotations

import argparse
import functools
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson

from bench.broadcast import location_body
from ocpihub.inbound.handlers._objects import egress_json, list_response
from ocpihub.model.outbox import Delivery, OutboxItem, Status
from ocpihub.outbox import worker as worker_module
from ocpihub.outbox.delivery import prepare
from ocpihub.store.objects import ListedJson
from ocpihub.translate import from_canonical

VERSIONS = ("2.3.0", "2.2.1", "2.1.1")


def best(fn: Callable[[], Any], rounds: int) -> float:
    """The least CPU seconds of ``rounds`` calls."""
    times = []
    for _ in range(rounds):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def page_items(n: int) -> list[ListedJson]:
    """``n`` stored Locations as GET all reads them: canonical JSON text, not exact."""
    doc = location_body()
    items = []
    for i in range(n):
        text = orjson.dumps({**doc, "id": f"S{i:07d}"}).decode()
        items.append(ListedJson(i + 1, "", text, False))
    return items


def render_page(version: str, items: list[ListedJson]) -> None:
    """One GET-all page body for an eMSP on ``version``."""
    list_response([egress_json(version, "Location", item) for item in items], {})


def outbox_item(n: int, payload_text: bytes, receiver: int) -> OutboxItem:
    """Delivery ``receiver`` of push ``n``, its payload decoded as a claim decodes it."""
    at = datetime.now(UTC)
    return OutboxItem(
        id=n * 100 + receiver,
        status=Status.IN_FLIGHT,
        delivery=Delivery(
            receiver_platform_id=receiver,
            receiver_party=("DE", f"M{receiver:02d}"),
            sender_party=("NL", "CPO"),
            module="locations",
            method="PUT",
            url_suffix=f"/NL/CPO/L{n}",
            ordering_key=f"locations:NL:CPO:L{n}",
            correlation_id="c",
            object_name="Location",
            payload=orjson.loads(payload_text),
            broadcast=True,
        ),
        attempts=0,
        next_attempt_at=at,
        created_at=at,
        window_start=at,
        updated_at=at,
    )


def worker_translate() -> Any:
    """The translator a delivery worker uses (with its cache, where there is one)."""
    base = getattr(worker_module, "_translate", from_canonical)
    try:
        from ocpihub.outbox.bodies import TranslationCache
    except ImportError:  # a checkout from before the cache
        return base
    return TranslationCache(base)


def deliver_pushes(pushes: int, receivers: int) -> None:
    """Bodies of ``pushes`` pushes to ``receivers`` receivers on cycled versions."""
    translate = worker_translate()
    doc = location_body()
    for n in range(pushes):
        text = orjson.dumps({**doc, "id": f"L{n}"})
        for r in range(receivers):
            item = outbox_item(n, text, r)
            prepared = prepare(
                item,
                version=VERSIONS[r % len(VERSIONS)],
                endpoint_url="http://127.0.0.1:1/locations",
                hub_party=("NL", "HUB"),
                translate=translate,
            )
            content = getattr(prepared, "content", None)
            if content is None and prepared.body is not None:
                orjson.dumps(prepared.body)


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    items = page_items(1000)
    for version in VERSIONS:
        seconds = best(functools.partial(render_page, version, items), args.rounds)
        print(f"GET all page, eMSP {version}: {seconds / len(items) * 1e6:6.1f} us/object")
    pushes, receivers = 200, 10
    seconds = best(lambda: deliver_pushes(pushes, receivers), args.rounds)
    per = seconds / (pushes * receivers) * 1e6
    print(f"broadcast bodies, 10 mixed receivers: {per:6.1f} us/delivery")


if __name__ == "__main__":
    main()
