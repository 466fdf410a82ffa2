"""IATI import benchmark: a large publisher file read and imported, next to a bare lxml pass as the floor.

Run with ``make bench`` (or ``uv run python tests/bench/bench_iati.py``). It builds, in a temporary
folder, an IATI 2.03 file of at least ``BENCH_IATI_MB`` megabytes (default 200) by repeating the real
activities of the 2.03 samples shipped with the tests (``tests/data/iati/samples``: the d-portal export and
the official 2.03 example) with new identifiers, then runs each phase in a child process of its own so that
each reports its own peak memory (peak resident set size, ``getrusage``):

- ``floor``: a bare ``lxml.etree.iterparse`` pass over the file, clearing each activity (no validation,
  no mapping): the fastest a streaming reader can go;
- ``read``: ``compact.interop.iati.reader`` over the whole file: the same parse, plus each activity
  validated against the official 2.03 schema, its codes checked against the IATI codelists, the IATI
  rules applied and the record built;
- ``import``: ``compact.interop.iati_services.iati_import`` as the platform, with the counter-terrorism
  selection, on a throwaway SQLite database with the default data: reading, selection, mapping of the
  relevant activities to projects and flows through the services, change log, one transaction;
- ``write``: the same import of a smaller file (``BENCH_IATI_WRITE`` activities, default 2,000) without a
  selection, so that every activity becomes a project with its flows: the cost of writing. This file
  repeats the d-portal export's activities only: the platform refuses the official example activity (it
  gives shares to regions of a publisher's own vocabulary, which the platform does not keep, so the
  shares it keeps cannot add up to 100), and one refusal would leave nothing written.

Each line gives MB/s, activities/s, the ratio of the floor's throughput to the phase's, and peak memory.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "tests" / "data" / "iati" / "samples"
TEMPLATES = ("real-foodsecurity-7-activities-2.03-dportal.xml", "iati-standard-example-activity-2.03.xml")
#: The templates of the write phase, whose activities the platform imports as they are.
WRITE_TEMPLATES = TEMPLATES[:1]
MB = 1024 * 1024


def build(path: Path, megabytes: float | None = None, activities: int | None = None,
          names: tuple[str, ...] = TEMPLATES) -> int:
    """Write an IATI 2.03 file of at least ``megabytes`` MB (or of exactly ``activities`` activities) made of
    the activities of the sample files ``names`` with new identifiers; returns the number of activities."""
    from lxml import etree

    templates = []
    for name in names:
        for element in etree.parse(str(SAMPLES / name)).getroot().iter("{*}iati-activity", "iati-activity"):
            identifier = element.findtext("iati-identifier").strip()
            text = etree.tostring(element, encoding="unicode", with_tail=False)
            templates.append((identifier, text))
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03" '
                  'generated-datetime="2026-01-01T00:00:00Z" '
                  'xmlns:usg="http://www.usaid.gov/foreignassistance/" '
                  'xmlns:dportal="http://d-portal.org/xmlns">\n')
        written = 0
        while (activities is not None and count < activities) or (megabytes is not None and written < megabytes * MB):
            identifier, text = templates[count % len(templates)]
            new = f"{identifier}-B{count}"
            chunk = text.replace(f">{identifier}<", f">{new}<", 1) + "\n"
            out.write(chunk)
            written += len(chunk.encode())
            count += 1
        out.write("</iati-activities>\n")
    return count


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def phase_floor(path: str) -> dict:
    from lxml import etree

    count = 0
    start = time.perf_counter()
    for _event, element in etree.iterparse(path, events=("end",), tag="iati-activity", huge_tree=True):
        count += 1
        element.clear()
        while element.getprevious() is not None:
            del element.getparent()[0]
    return {"seconds": time.perf_counter() - start, "activities": count, "peak_mb": _peak_mb()}


def _django(work: str) -> None:
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{work}/bench.sqlite3")
    os.environ["COMPACT_VAR_DIR"] = f"{work}/var"
    Path(f"{work}/var/static").mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compact.settings")
    import django

    django.setup()


def phase_read(path: str, work: str) -> dict:
    _django(work)
    from compact.interop.iati.reader import open_iati

    count = problems = 0
    start = time.perf_counter()
    for record in open_iati(Path(path), Path(path).name).activities():
        count += 1
        problems += len(record.problems)
    return {"seconds": time.perf_counter() - start, "activities": count, "problems": problems, "peak_mb": _peak_mb()}


def phase_import(path: str, work: str, selection: bool) -> dict:
    _django(work)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from compact.interop.iati.selection import Selection
    from compact.interop.iati_services import iati_import
    from compact.projects.models import Project
    from compact.registry.models import Body, Entity
    from compact.registry.services import load_default_structure

    if not Body.objects.exists():
        load_default_structure(reason="benchmark")
    start = time.perf_counter()
    report = iati_import(actor=None, files=[(Path(path).name, Path(path))], dry_run=False, reason="benchmark",
                         lead_body=Body.objects.get(key="wg-2"), lead_entity=Entity.objects.get(acronym="UNODC"),
                         selection=Selection.counter_terrorism() if selection else None)
    seconds = time.perf_counter() - start
    assert report.ok, [str(p) for p in report.problems[:5]]
    return {"seconds": seconds, "activities": sum(f["activities"] for f in report.files), "counts": report.counts,
            "projects": Project.objects.count(), "peak_mb": _peak_mb()}


def child(name: str, *args: str) -> dict:
    """Run a phase in a child process; returns its JSON answer."""
    done = subprocess.run([sys.executable, __file__, "--phase", name, *args], capture_output=True, text=True, check=False)
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"phase {name} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    megabytes = float(os.environ.get("BENCH_IATI_MB", "200"))
    write_count = int(os.environ.get("BENCH_IATI_WRITE", "2000"))
    with tempfile.TemporaryDirectory(prefix="compact-bench-iati-") as work:
        big = Path(work) / "large-2.03.xml"
        small = Path(work) / "small-2.03.xml"
        activities = build(big, megabytes=megabytes)
        build(small, activities=write_count, names=WRITE_TEMPLATES)
        size = big.stat().st_size / MB
        print(f"IATI import benchmark: {size:.1f} MB, {activities:,} activities (2.03 samples repeated)")
        floor = child("floor", str(big))
        results = [("floor: bare lxml iterparse", floor, size),
                   ("read: schema, codelists, rules, records", child("read", str(big), work), size),
                   ("import: counter-terrorism selection", child("import", str(big), work + "/a", "select"), size)]
        small_size = small.stat().st_size / MB
        small_floor = child("floor", str(small))
        written = child("import", str(small), work + "/b", "all")
        floor_rate = size / floor["seconds"]
        print(f"{'phase':42} {'seconds':>8} {'MB/s':>8} {'act./s':>9} {'x floor':>8} {'peak MB':>8}")
        for label, result, megabytes_read in results:
            rate = megabytes_read / result["seconds"]
            print(f"{label:42} {result['seconds']:8.2f} {rate:8.1f} {result['activities'] / result['seconds']:9,.0f} "
                  f"{floor_rate / rate:8.2f} {result['peak_mb']:8.0f}")
        kept = results[2][1]["counts"]
        print(f"  selection kept {kept['create']:,} of {activities:,} activities (created as projects)")
        rate = small_size / written["seconds"]
        small_floor_rate = small_size / small_floor["seconds"]
        print(f"{'write: every activity a project (' + format(write_count, ',') + ')':42} {written['seconds']:8.2f} "
              f"{rate:8.1f} {written['activities'] / written['seconds']:9,.0f} {small_floor_rate / rate:8.2f} "
              f"{written['peak_mb']:8.0f}")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--phase":
        name, args = sys.argv[2], sys.argv[3:]
        if name == "floor":
            answer = phase_floor(args[0])
        elif name == "read":
            answer = phase_read(args[0], args[1])
        else:
            Path(args[1]).mkdir(parents=True, exist_ok=True)
            answer = phase_import(args[0], args[1], args[2] == "select")
        print(json.dumps(answer))
    else:
        sys.path.insert(0, str(ROOT / "src"))
        main()
