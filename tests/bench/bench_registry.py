"""Registry benchmark: structure loading and every page and API call, at seed and reference scale.

Run with ``make bench`` (or ``uv run python tests/bench/bench_registry.py``). It builds a throwaway
SQLite database (or uses ``BENCH_DATABASE_URL``), loads the seed, measures, then grows the registry to
the reference volumes of DESIGN.md section 6 (60 entities, 20 bodies) with a generated structure
file, and measures again. It prints milliseconds per request (median of ``BENCH_REPEAT`` runs,
default 30), queries per request, and the ratio reference/seed: a ratio near 1 means the cost does
not grow with the registry.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

WORK = Path(tempfile.mkdtemp(prefix="compact-bench-"))
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{WORK / 'bench.sqlite3'}")
os.environ["COMPACT_VAR_DIR"] = str(WORK / "var")
(WORK / "var" / "static").mkdir(parents=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compact.settings")
REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import translation  # noqa: E402
from ruamel.yaml import YAML  # noqa: E402

from compact.interop.structure import read_structure_text  # noqa: E402
from compact.interop.structure.writer import export_structure  # noqa: E402
from compact.registry.services import load_default_structure, structure_apply  # noqa: E402

URLS = [
    "/", "/strategy/", "/committee/", "/working-groups/", "/working-groups/2/", "/entities/", "/entities/UNOCT/",
    "/?lang=ar", "/api/pillars/", "/api/entities/", "/api/entities/UNOCT/", "/api/working-groups/",
    "/api/working-groups/2/", "/api/committee/",
]
AS_OF = "as_of=2024-06-30"


def timed(fn, repeat: int = 1) -> float:
    """Median wall time of ``fn()`` over ``repeat`` runs, in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure_urls() -> dict[str, tuple[float, int]]:
    """``{url: (median ms, queries)}`` for every URL, as of a fixed date."""
    client = Client()
    out = {}
    for url in URLS:
        translation.activate("en")
        full = f"{url}{'&' if '?' in url else '?'}{AS_OF}"
        response = client.get(full)
        assert response.status_code == 200, (full, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            client.get(full)
        count = len(queries)
        out[url] = (timed(lambda full=full: client.get(full), REPEAT), count)
    translation.activate("en")
    return out


def reference_document() -> str:
    """The seed grown to 60 entities and 20 bodies (the Compact, the Committee, 18 working groups)."""
    yaml = YAML()
    data = yaml.load(export_structure())
    compact = next(b for b in data["bodies"] if b["key"] == "compact")
    extra = [f"E{n:02d}" for n in range(1, 48)]  # 13 + 47 = 60 entities
    for acronym in extra:
        data["entities"].append({"acronym": acronym, "kind": "un", "name": {"en": f"Entity {acronym}", "fr": f"Entité {acronym}"}})
        compact["participants"].append({"entity": acronym, "capacity": "member", "start": "2018-02-23"})
    for number in range(9, 19):  # 10 more working groups
        members = extra[(number * 3) % 33:(number * 3) % 33 + 7]
        chair, vice = members[0], members[1:3]
        data["bodies"].append({
            "key": f"wg-{number}", "kind": "working_group", "number": number, "pillar": 1 + number % 4, "parent": "committee",
            "title": {"en": f"Working group {number}"}, "established": "2019-04-16",
            "leadership": [{"entity": chair, "role": "chair", "start": "2019-04-16", "end": "2021-12-31"},
                           {"entity": vice[0], "role": "chair", "start": "2022-01-01"}]
                          + [{"entity": e, "role": "vice_chair", "start": "2019-04-16"} for e in vice[1:]],
            "participants": [{"entity": e, "capacity": "member", "start": "2019-04-16"} for e in members]
                            + [{"entity": e, "capacity": "observer", "start": "2020-01-01"} for e in extra[43:47]],
        })
    from io import StringIO

    buffer = StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()


def main() -> int:
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} ({os.environ['DATABASE_URL']}); {REPEAT} runs per figure\n")
    load_ms = timed(lambda: load_default_structure(reason="benchmark"))
    reload_ms = timed(lambda: load_default_structure(reason="benchmark"), 5)
    seed = measure_urls()

    text = reference_document()
    document = read_structure_text(text, source="reference.yaml")
    grow_ms = timed(lambda: structure_apply(document=document, reason="benchmark"))
    parse_ms = timed(lambda: read_structure_text(text, source="reference.yaml"), 5)
    again_ms = timed(lambda: structure_apply(document=document, reason="benchmark"), 5)
    export_ms = timed(export_structure, 5)
    reference = measure_urls()
    reset_queries()

    from compact.registry.models import Body, Entity, LeadershipRole, Participation

    print("Structure file")
    print(f"  load seed into empty registry      {load_ms:9.1f} ms")
    print(f"  load seed again (no change)        {reload_ms:9.1f} ms")
    print(f"  read+validate reference file        {parse_ms:9.1f} ms  ({len(text) / 1024:.0f} KiB)")
    print(f"  grow to reference scale             {grow_ms:9.1f} ms")
    print(f"  load reference again (no change)    {again_ms:9.1f} ms")
    print(f"  export reference                    {export_ms:9.1f} ms")
    print(f"  reference registry: {Entity.objects.count()} entities, {Body.objects.count()} bodies, "
          f"{LeadershipRole.objects.count()} leadership roles, {Participation.objects.count()} participations\n")
    print(f"{'request (' + AS_OF + ')':32} {'seed ms':>9} {'ref ms':>9} {'ratio':>7} {'queries':>8}")
    for url in URLS:
        (s_ms, s_q), (r_ms, r_q) = seed[url], reference[url]
        print(f"{url:32} {s_ms:9.2f} {r_ms:9.2f} {r_ms / s_ms:7.2f} {s_q:>4}/{r_q:<3}")
    unstable = [url for url in URLS if seed[url][1] != reference[url][1]]
    if unstable:
        print(f"\nquery count grew with the registry: {', '.join(unstable)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
