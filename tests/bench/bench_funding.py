"""Funding benchmark: totals and funding gaps at the reference volume of DESIGN.md section 6.

Run with ``make bench`` (or ``uv run python tests/bench/bench_funding.py``). It builds a throwaway SQLite
database (or uses ``BENCH_DATABASE_URL``), loads the seed, then writes 2,000 joint projects (spread over
the eight working groups, four pillars, the entities and 1 to 3 beneficiary countries each) and 200,000
flows in five currencies over 24 months (one month of EUR left without a rate) with ``bulk_create``. It
times ``totals`` and ``totals_by`` for each dimension (median of ``BENCH_REPEAT`` runs, default 5), as the
secretariat, and prints each against a bare aggregate query over the same rows (``SUM(amount)`` grouped
by kind and currency, no access rule, no conversion): the ratio is what access, grouping by month and
conversion cost on top of reading the rows.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

WORK = Path(tempfile.mkdtemp(prefix="compact-bench-"))
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{WORK / 'bench.sqlite3'}")
os.environ["COMPACT_VAR_DIR"] = str(WORK / "var")
(WORK / "var" / "static").mkdir(parents=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compact.settings")
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))
PROJECTS = int(os.environ.get("BENCH_PROJECTS", "2000"))
FLOWS = int(os.environ.get("BENCH_FLOWS", "200000"))

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Sum  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from compact.access.principal import SECRETARIAT_GROUP  # noqa: E402
from compact.funding.models import ExchangeRate, Flow  # noqa: E402
from compact.funding.selectors import DIMENSIONS, totals, totals_by  # noqa: E402
from compact.projects.models import Area, Project  # noqa: E402
from compact.registry.models import Body, Entity, Pillar  # noqa: E402
from compact.registry.services import load_default_structure  # noqa: E402

COUNTRIES = ["004", "566", "562", "466", "404", "706", "368", "760", "586", "818"]
CURRENCIES = {"USD": None, "EUR": Decimal("0.92"), "JPY": Decimal("150.5"), "GBP": Decimal("0.79"), "CHF": Decimal("0.88")}
KINDS = ["requirement", "pledge", "commitment", "commitment", "disbursement", "expenditure"]
MONTHS = [dt.date(2024 + m // 12, m % 12 + 1, 1) for m in range(24)]


def timed(fn, repeat: int = REPEAT) -> float:
    """Median wall time of ``fn()`` over ``repeat`` runs, in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def build() -> None:
    rng = random.Random(2026)
    groups = list(Body.objects.filter(kind=Body.Kind.WORKING_GROUP))
    pillars = list(Pillar.objects.all())
    entities = list(Entity.objects.all())
    projects = Project.objects.bulk_create([
        Project(title=f"Project {i}", lead_body=rng.choice(groups), lead_entity=rng.choice(entities),
                sensitivity=rng.choice(["public", "internal", "confidential"])) for i in range(PROJECTS)])
    Project.working_groups.through.objects.bulk_create([
        Project.working_groups.through(project_id=p.pk, body_id=g.pk) for p in projects for g in rng.sample(groups, 2)])
    Project.pillars.through.objects.bulk_create([
        Project.pillars.through(project_id=p.pk, pillar_id=rng.choice(pillars).pk) for p in projects])
    areas = []
    for p in projects:
        codes = rng.sample(COUNTRIES, rng.choice([1, 2, 3]))
        shares = {1: ["100"], 2: ["60", "40"], 3: ["33.333", "33.333", "33.334"]}[len(codes)]
        areas += [Area(project_id=p.pk, code=c, percentage=Decimal(s)) for c, s in zip(codes, shares, strict=True)]
    Area.objects.bulk_create(areas)
    ExchangeRate.objects.bulk_create([
        ExchangeRate(currency=c, month=m, rate=r) for c, r in CURRENCIES.items() if r for m in MONTHS
        if not (c == "EUR" and m == MONTHS[-1])])
    Flow.objects.bulk_create((
        Flow(project=projects[i % PROJECTS], kind=rng.choice(KINDS), currency=rng.choice(list(CURRENCIES)),
             amount=Decimal(rng.randrange(-5_000, 500_000)) or Decimal(1), date=rng.choice(MONTHS) + dt.timedelta(days=rng.randrange(28)),
             provider_name="Donor") for i in range(FLOWS)), batch_size=5000)


def main() -> int:
    call_command("migrate", verbosity=0)
    load_default_structure(reason="benchmark")
    start = time.perf_counter()
    build()
    build_s = time.perf_counter() - start
    user = get_user_model().objects.create_user("bench-secretariat", password="not-used-for-login-77")
    user.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
    print(f"database: {connection.vendor} ({os.environ['DATABASE_URL']}); {REPEAT} runs per figure")
    print(f"built {Project.objects.count()} projects and {Flow.objects.count()} flows in {build_s:.1f} s\n")

    bare_ms = timed(lambda: list(Flow.objects.order_by().values("kind", "currency").annotate(total=Sum("amount"))))
    print(f"{'measure':34} {'ms':>9} {'queries':>8} {'ratio to bare':>14}")
    print(f"{'bare SUM by kind, currency':34} {bare_ms:9.1f} {1:>8} {1:>14.2f}")
    cases = {"totals": lambda: totals(user=user)} | {
        f"totals_by {d}": (lambda d=d: totals_by(user=user, dimension=d)) for d in DIMENSIONS}
    for label, fn in cases.items():
        with CaptureQueriesContext(connection) as queries:
            fn()
        ms = timed(fn)
        print(f"{label:34} {ms:9.1f} {len(queries):>8} {ms / bare_ms:>14.2f}")
    overall = totals(user=user)
    print(f"\nfunded {overall.funded.usd} USD, complete={overall.funded.complete}, "
          f"not converted: {', '.join(overall.funded.not_converted_labels)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
