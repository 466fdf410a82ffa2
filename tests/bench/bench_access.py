"""Access benchmark: what the one access policy costs on lists and counts.

Run with ``make bench`` (or ``uv run python tests/bench/bench_access.py``). It builds a throwaway SQLite
database (or uses ``BENCH_DATABASE_URL``), loads the seed, adds ``BENCH_DOCUMENTS`` documents (default
20,000) spread over the working groups, the entities and the four sensitivity levels, with explicit
grants on a share of the strictly confidential ones, then times, for users of different standing, a
count and a first page of 50 through ``restrict`` next to the same query without any restriction (the
floor). It prints milliseconds (median of ``BENCH_REPEAT`` runs, default 30), the rows each user may
see, and the ratio restricted/floor.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

WORK = Path(tempfile.mkdtemp(prefix="compact-bench-access-"))
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{WORK / 'bench.sqlite3'}")
os.environ["COMPACT_VAR_DIR"] = str(WORK / "var")
(WORK / "var" / "static").mkdir(parents=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compact.settings")
REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))
DOCUMENTS = int(os.environ.get("BENCH_DOCUMENTS", "20000"))

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import AnonymousUser, Group  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402

from compact.access.models import Grant, Sensitivity  # noqa: E402
from compact.access.policy import Action, restrict  # noqa: E402
from compact.access.principal import SECRETARIAT_GROUP, principal_for  # noqa: E402
from compact.library.models import Document  # noqa: E402
from compact.registry.models import Body, Entity, Person  # noqa: E402
from compact.registry.services import load_default_structure  # noqa: E402


def timed(fn) -> float:
    """Median wall time of ``fn()`` over ``REPEAT`` runs, in milliseconds."""
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def build() -> dict[str, object]:
    call_command("migrate", verbosity=0)
    load_default_structure(reason="benchmark")
    groups = list(Body.objects.filter(kind=Body.Kind.WORKING_GROUP).order_by("number"))
    entities = list(Entity.objects.order_by("acronym"))
    levels = Sensitivity.values
    Document.objects.bulk_create(
        Document(
            title=f"Document {i}", owner_body=groups[i % len(groups)], owner_entity=entities[i % len(entities)],
            sensitivity=levels[i % len(levels)],
        )
        for i in range(DOCUMENTS)
    )
    User = get_user_model()

    def user(name, acronym=None, function="focal_point"):
        u = User.objects.create_user(name, password=None)
        if acronym:
            Person.objects.create(entity=Entity.objects.get(acronym=acronym), given_name=name, family_name="Bench",
                                  function=function, user=u)
        return u

    users = {
        "visitor": AnonymousUser(),
        "signed-in, no entity": user("plain"),
        "INTERPOL focal point": user("interpol", "INTERPOL"),
        "UNOCT focal point": user("unoct", "UNOCT"),
        "secretariat": user("sec"),
    }
    users["secretariat"].groups.add(Group.objects.create(name=SECRETARIAT_GROUP))
    content_type = ContentType.objects.get_for_model(Document)
    strictly = Document.objects.filter(sensitivity=Sensitivity.STRICTLY_CONFIDENTIAL).values_list("pk", flat=True)
    Grant.objects.bulk_create(
        Grant(user=users["INTERPOL focal point"], content_type=content_type, object_id=pk) for pk in list(strictly)[::10]
    )
    return users


def main() -> int:
    users = build()
    base = Document.objects.all()
    floor_count = timed(lambda: base.count())
    floor_page = timed(lambda: list(base[:50]))
    print(f"access policy on {DOCUMENTS:,} documents ({os.environ['DATABASE_URL'].split(':')[0]}), median of {REPEAT}")
    print(f"{'user':24} {'rows seen':>10} {'count ms':>9} {'ratio':>6} {'page ms':>8} {'ratio':>6}")
    print(f"{'no restriction (floor)':24} {DOCUMENTS:>10,} {floor_count:>9.2f} {1:>6.2f} {floor_page:>8.2f} {1:>6.2f}")
    for label, user in users.items():
        principal_for(user)  # the standing is computed once per request; time the queries themselves
        seen = restrict(base, user, Action.COUNT).count()
        count_ms = timed(lambda user=user: restrict(base, user, Action.COUNT).count())
        page_ms = timed(lambda user=user: list(restrict(base, user, Action.LIST)[:50]))
        print(f"{label:24} {seen:>10,} {count_ms:>9.2f} {count_ms / floor_count:>6.2f} {page_ms:>8.2f} {page_ms / floor_page:>6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
