"""The projects file: its columns, reading a row into the ``data`` of ``compact.projects.services``, and
writing a project as a row.

Every column has one canonical value (``read`` from a cell, ``value_of`` a stored project), so that an
import compares a row with the project it updates and passes on only what differs, and an exported
file imports back with no change. Cell syntax (see ``docs/exchange-files.md``):

- lists are separated by ``;``: working groups by key (``wg-2; wg-5``), pillars by number (``2`` or
  ``II``), SDG targets by IATI UNSDG-Targets code (``16.a``);
- organisations (``#org +impl``, ``+funder``, ``+accountable``, ``+extending``: IATI 2.03
  OrganisationRole 4, 1, 2, 3) by entity acronym, or by name with the IATI organisation identifier in
  brackets (``Japan [XM-DAC-701]``);
- beneficiary countries and regions as ``M49 code:percentage`` (``466:60; 562:40``); one code alone is 100 %;
- sectors as ``code:percentage`` in the OECD DAC 5-digit vocabulary (IATI SectorVocabulary 1), or
  ``vocabulary:code:percentage`` in another (``2:152:100``); one sector alone needs no percentage;
- resolution paragraphs as ``resolution:paragraph`` (``77/298:118``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compact.access.models import Sensitivity
from compact.core.i18n import field_name
from compact.interop.tabular import cells
from compact.interop.tabular.cells import CellError
from compact.interop.tabular.columns import Problem, Spec, column_label
from compact.interop.tabular.lookups import Lookups, Org
from compact.projects.models import Participant, Project
from compact.reference import codelists, currencies, geography

#: The six UN languages, as the platform names them, and as HXL language attributes (+i_ and ISO 639-1).
LANGUAGES: tuple[str, ...] = tuple(settings.MODELTRANSLATION_LANGUAGES)
HXL_LANGUAGE = {"zh-hans": "zh"}

#: Participant columns: column name -> IATI 2.03 OrganisationRole code.
ROLE_COLUMNS: dict[str, str] = {"implementing": "4", "funding": "1", "accountable": "2", "extending": "3"}
HUNDRED = Decimal(100)


def _lang(code: str) -> str:
    return HXL_LANGUAGE.get(code, code)


PROJECT_COLUMNS: tuple[Spec, ...] = (
    Spec("id", "#activity +id", gettext_lazy("The platform's number of the project; empty for a new project.")),
    Spec("iati_identifier", "#activity +code", gettext_lazy(
        "The IATI activity identifier; a row whose identifier a project has updates that project.")),
    *(Spec(field_name("title", code), f"#activity +name +i_{_lang(code)}",
           gettext_lazy("The title in the language of the column.")) for code in LANGUAGES),
    *(Spec(field_name("description", code), f"#description +i_{_lang(code)}",
           gettext_lazy("The description in the language of the column.")) for code in LANGUAGES),
    Spec("lead_entity", "#org +lead +code", gettext_lazy("The lead entity's acronym (UNODC).")),
    Spec("lead_working_group", "#group +lead +code", gettext_lazy("The lead working group's key (wg-2).")),
    Spec("working_groups", "#group +code", gettext_lazy("Working groups by key, separated by ; (wg-2; wg-5).")),
    Spec("pillars", "#sector +pillar +code", gettext_lazy("Pillars of the Strategy, 1 to 4 or I to IV, separated by ;.")),
    Spec("stage", "#status +stage", gettext_lazy("draft, submitted, endorsed or published: exported, ignored on import "
                                                 "(the stage changes through the workflow)."), read_only=True),
    Spec("activity_status", "#status +code", gettext_lazy("IATI ActivityStatus code (2: implementation).")),
    Spec("start", "#date +start", gettext_lazy("Start date, YYYY-MM-DD.")),
    Spec("end", "#date +end", gettext_lazy("End date, YYYY-MM-DD.")),
    Spec("implementing", "#org +impl", gettext_lazy("Implementing organisations (IATI role 4): acronyms, or "
                                                    "names with [IATI identifier], separated by ;.")),
    Spec("funding", "#org +funder", gettext_lazy("Funding organisations (IATI role 1), as implementing.")),
    Spec("accountable", "#org +accountable", gettext_lazy("Accountable organisations (IATI role 2), as implementing.")),
    Spec("extending", "#org +extending", gettext_lazy("Extending organisations (IATI role 3), as implementing.")),
    Spec("countries", "#country +code", gettext_lazy("Beneficiary countries and regions as M49 code:percentage, "
                                                     "separated by ; (466:60; 562:40), summing to 100.")),
    Spec("sectors", "#sector +code", gettext_lazy("Sectors as DAC 5-digit code:percentage (15210:100), or "
                                                  "vocabulary:code:percentage, separated by ;.")),
    Spec("sdg_targets", "#sector +sdg +code", gettext_lazy("SDG targets (16.a), separated by ;.")),
    Spec("resolution_paragraphs", "#meta +resolution +paragraph",
         gettext_lazy("Paragraphs of Strategy review resolutions as resolution:paragraph (77/298:118).")),
    Spec("gender_marker", "#indicator +marker +gender", gettext_lazy("UN Gender Equality Marker, 0 to 3.")),
    Spec("human_rights_marker", "#indicator +marker +human_rights", gettext_lazy("Human rights marker, 0 to 3.")),
    Spec("default_currency", "#currency +default", gettext_lazy("ISO 4217 code (USD).")),
    Spec("sensitivity", "#status +sensitivity", gettext_lazy("public, internal, confidential or strictly_confidential.")),
)

#: Which column a service's error on a data key belongs to (the first of them present in the file).
ERROR_COLUMNS: dict[str, tuple[str, ...]] = {
    "title": tuple(field_name("title", c) for c in LANGUAGES),
    "description": tuple(field_name("description", c) for c in LANGUAGES),
    "lead_body": ("lead_working_group",),
    "participants": tuple(ROLE_COLUMNS),
    "areas": ("countries",),
    "start": ("start",),
    "end": ("end", "start"),
}


def _number(value: Decimal | None) -> str:
    """A percentage as written in a file: no exponent, no trailing zeros (``60.000`` -> ``60``)."""
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- Reading cells ---------------------------------------------------------------------------------


def _text(raw, lookups, note) -> str:
    return cells.text(raw)


def _identifier(raw, lookups, note) -> str | None:
    return cells.text(raw) or None


def _id(raw, lookups, note) -> int | None:
    number = cells.whole(raw)
    if number is not None and number < 1:
        raise CellError(_("'%(value)s' is not a project number.") % {"value": cells.text(raw)})
    return number


def _entity(raw, lookups: Lookups, note):
    return lookups.entity(cells.text(raw)) if not cells.is_blank(raw) else None


def _body(raw, lookups: Lookups, note):
    return lookups.body(cells.text(raw)) if not cells.is_blank(raw) else None


def _bodies(raw, lookups: Lookups, note) -> tuple:
    return tuple(sorted({lookups.body(i) for i in cells.items(raw)}, key=lambda b: b.key))


def _pillars(raw, lookups: Lookups, note) -> tuple:
    return tuple(sorted({lookups.pillar(i) for i in cells.items(raw)}, key=lambda p: p.number))


def _code(list_name: str) -> Callable:
    def read(raw, lookups, note) -> str:
        if cells.is_blank(raw):
            return ""
        return codelists.check_code(list_name, cells.text(raw), new=False)
    return read


def _date(raw, lookups, note) -> dt.date | None:
    return cells.date(raw)


def _orgs(raw, lookups: Lookups, note) -> tuple:
    return tuple(sorted({lookups.org(i) for i in cells.items(raw)}, key=Org.key))


def _percentage(text: str) -> Decimal:
    value = cells.decimal(text)
    if value is None:
        raise CellError(_("A percentage is missing."))
    return value


def _areas(raw, lookups, note) -> tuple:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        code, normalised = cells.m49(raw)
        note(_("The number %(value)s was read as the UN M49 code %(code)s.") % {"value": cells.text(raw), "code": code})
        geography.area(code)
        return ((code, HUNDRED),)
    parts = cells.items(raw)
    out = {}
    for item in parts:
        code_text, _sep, percentage = item.partition(":")
        code, normalised = cells.m49(code_text)
        if normalised:
            note(_("'%(value)s' was read as the UN M49 code %(code)s.") % {"value": code_text.strip(), "code": code})
        geography.area(code)
        if code in out:
            raise CellError(_("%(code)s is listed twice.") % {"code": code})
        if percentage.strip():
            out[code] = _percentage(percentage)
        elif len(parts) == 1:
            out[code] = HUNDRED
        else:
            raise CellError(_("%(code)s has no percentage: write code:percentage when there are several.") % {"code": code})
    return tuple(sorted(out.items()))


def _sectors(raw, lookups, note) -> tuple:
    out = []
    for item in cells.items(raw):
        parts = [p.strip() for p in item.split(":")]
        if len(parts) == 1:
            vocabulary, code, percentage = "1", parts[0], None
        elif len(parts) == 2:
            vocabulary, code, percentage = "1", parts[0], parts[1]
        elif len(parts) == 3:
            vocabulary, code, percentage = parts
        else:
            raise CellError(_("'%(value)s' is not a sector: write code:percentage or vocabulary:code:percentage.")
                            % {"value": item})
        out.append((vocabulary or "1", code, _percentage(percentage) if percentage else None))
    return tuple(sorted(out, key=lambda s: (s[0], s[1])))


def _sdg_targets(raw, lookups, note) -> tuple:
    return tuple(sorted({codelists.check_code("UNSDG-Targets", i, new=False) for i in cells.items(raw)}))


def _paragraphs(raw, lookups: Lookups, note) -> tuple:
    out = set()
    for item in cells.items(raw):
        resolution, sep, paragraph = item.rpartition(":")
        if not sep or not resolution.strip() or not paragraph.strip():
            raise CellError(_("'%(value)s' is not a resolution paragraph: write resolution:paragraph (77/298:118).")
                            % {"value": item})
        out.add((lookups.review(resolution), paragraph.strip()))
    return tuple(sorted(out, key=lambda p: (p[0].number, p[1])))


def _marker(raw, lookups, note) -> int | None:
    value = cells.whole(raw)
    if value is not None and not 0 <= value <= 3:
        raise CellError(_("A marker is 0, 1, 2 or 3 (UN Gender Equality Marker scale), or empty."))
    return value


def _currency(raw, lookups, note) -> str:
    return currencies.currency(cells.text(raw), new=False).code if not cells.is_blank(raw) else ""


def _sensitivity(raw, lookups, note) -> str:
    value = cells.text(raw).lower().replace(" ", "_")
    if value and value not in Sensitivity.values:
        raise CellError(_("Unknown sensitivity: expected one of %(known)s.") % {"known": ", ".join(Sensitivity.values)})
    return value


READERS: dict[str, Callable] = {
    "id": _id, "iati_identifier": _identifier,
    **{field_name("title", c): _text for c in LANGUAGES}, **{field_name("description", c): _text for c in LANGUAGES},
    "lead_entity": _entity, "lead_working_group": _body, "working_groups": _bodies, "pillars": _pillars,
    "stage": _text, "activity_status": _code("ActivityStatus"), "start": _date, "end": _date,
    **{name: _orgs for name in ROLE_COLUMNS}, "countries": _areas, "sectors": _sectors, "sdg_targets": _sdg_targets,
    "resolution_paragraphs": _paragraphs, "gender_marker": _marker, "human_rights_marker": _marker,
    "default_currency": _currency, "sensitivity": _sensitivity,
}


def read_row(row, matched, lookups: Lookups) -> tuple[dict[str, Any], list[Problem], list[Problem]]:
    """The canonical values of a row's cells, by column name (only the file's columns), with the
    problems of the cells that cannot be read and notes on values normalised (``004`` for ``4``)."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    notes: list[Problem] = []
    for name, column in matched.columns.items():
        raw = row.cells[column.index]
        where = (row.number, column_label(column), column.tag_text.strip(), cells.text(raw))

        def note(message, where=where):
            notes.append(Problem(*where, message))

        try:
            values[name] = READERS[name](raw, lookups, note)
        except CellError as exc:
            problems.append(Problem(*where, str(exc)))
        except ValidationError as exc:  # from compact.reference: unknown or malformed codes
            problems.extend(Problem(*where, message) for message in exc.messages)
    return values, problems, notes


# --- Stored projects -------------------------------------------------------------------------------


def export_queryset(queryset: QuerySet) -> QuerySet:
    """``queryset`` with what ``value_of`` reads, prefetched (a fixed number of queries per export)."""
    return queryset.select_related("lead_entity", "lead_body").prefetch_related(
        "working_groups", "pillars", "sectors", "areas", "sdg_targets",
        Prefetch("participants", queryset=Participant.objects.select_related("entity")),
        "resolution_paragraphs__review",
    )


def value_of(project: Project) -> dict[str, Any]:
    """The canonical value of every column for a stored project (as ``read_row`` gives them)."""
    values: dict[str, Any] = {
        "id": project.pk, "iati_identifier": project.iati_identifier or None,
        "lead_entity": project.lead_entity, "lead_working_group": project.lead_body,
        "working_groups": tuple(sorted(project.working_groups.all(), key=lambda b: b.key)),
        "pillars": tuple(sorted(project.pillars.all(), key=lambda p: p.number)),
        "stage": project.stage, "activity_status": project.activity_status, "start": project.start, "end": project.end,
        "countries": tuple(sorted((a.code, a.percentage) for a in project.areas.all())),
        "sectors": tuple(sorted(((s.vocabulary, s.code, s.percentage) for s in project.sectors.all()),
                                key=lambda s: (s[0], s[1]))),
        "sdg_targets": tuple(sorted(t.code for t in project.sdg_targets.all())),
        "resolution_paragraphs": tuple(sorted(((p.review, p.paragraph) for p in project.resolution_paragraphs.all()),
                                              key=lambda p: (p[0].number, p[1]))),
        "gender_marker": project.gender_marker, "human_rights_marker": project.human_rights_marker,
        "default_currency": project.default_currency, "sensitivity": project.sensitivity,
    }
    for code in LANGUAGES:
        for field in ("title", "description"):
            values[field_name(field, code)] = getattr(project, field_name(field, code)) or ""
    participants = list(project.participants.all())
    for name, role in ROLE_COLUMNS.items():
        values[name] = tuple(sorted({Org(p.entity) if p.entity_id else Org(None, p.name, p.ref)
                                     for p in participants if p.role == role}, key=Org.key))
    return values


def _cell(name: str, value: Any) -> str:
    """The text of column ``name`` holding the canonical ``value``."""
    if value is None:
        return ""
    if name in ("working_groups", "lead_working_group"):
        return "; ".join(b.key for b in value) if isinstance(value, tuple) else value.key
    if name == "lead_entity":
        return value.acronym
    if name == "pillars":
        return "; ".join(str(p.number) for p in value)
    if name in ROLE_COLUMNS:
        return "; ".join(str(o) for o in value)
    if name == "countries":
        return "; ".join(f"{code}:{_number(pct)}" for code, pct in value)
    if name == "sectors":
        return "; ".join(
            (f"{code}" if vocabulary == "1" else f"{vocabulary}:{code}") + (f":{_number(pct)}" if pct is not None else
                                                                             ("" if vocabulary == "1" else ":"))
            for vocabulary, code, pct in value)
    if name == "sdg_targets":
        return "; ".join(value)
    if name == "resolution_paragraphs":
        return "; ".join(f"{review.resolution}:{paragraph}" for review, paragraph in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def row_of(project: Project) -> list[str]:
    """A project as a row of cells, in ``PROJECT_COLUMNS`` order."""
    values = value_of(project)
    return [_cell(spec.name, values[spec.name]) for spec in PROJECT_COLUMNS]


# --- Rows to service data --------------------------------------------------------------------------


def data_of(values: Mapping[str, Any], names: set[str], current: Mapping[str, Any] | None) -> dict[str, Any]:
    """The ``data`` for ``project_create`` / ``project_update`` from a row's canonical ``values``, for the
    columns ``names`` (those that differ from the project, or all for a new one). ``current`` is the
    project's ``value_of`` (None for a new one): participants of roles the file has no column for are
    kept from it, since the service replaces the whole list."""
    data: dict[str, Any] = {}
    for field in ("title", "description"):
        given = {code: values[field_name(field, code)] for code in LANGUAGES if field_name(field, code) in names}
        if given:
            data[field] = given
    simple = {"iati_identifier": "iati_identifier", "lead_entity": "lead_entity", "lead_working_group": "lead_body",
              "activity_status": "activity_status", "start": "start", "end": "end", "gender_marker": "gender_marker",
              "human_rights_marker": "human_rights_marker", "default_currency": "default_currency",
              "sensitivity": "sensitivity"}
    for name, key in simple.items():
        if name in names:
            data[key] = values[name]
    for key in ("activity_status", "default_currency", "sensitivity"):
        if data.get(key) == "":
            del data[key]  # an empty cell keeps the default (pipeline, USD, internal) or the stored value
    for name in ("working_groups", "pillars"):
        if name in names:
            data[name] = list(values[name])
    if names & set(ROLE_COLUMNS):
        participants = []
        for name, role in ROLE_COLUMNS.items():
            orgs = values[name] if name in values else (current or {}).get(name, ())
            participants += [{"role": role, "entity": o.entity} if o.entity else {"role": role, "name": o.name, "ref": o.ref}
                             for o in orgs]
        data["participants"] = participants
    if "countries" in names:
        data["areas"] = [{"code": code, "percentage": pct} for code, pct in values["countries"]]
    if "sectors" in names:
        data["sectors"] = [{"vocabulary": v, "code": c, "percentage": p} for v, c, p in values["sectors"]]
    if "sdg_targets" in names:
        data["sdg_targets"] = list(values["sdg_targets"])
    if "resolution_paragraphs" in names:
        data["resolution_paragraphs"] = [{"review": r, "paragraph": p} for r, p in values["resolution_paragraphs"]]
    return data


def changed(values: Mapping[str, Any], current: Mapping[str, Any]) -> set[str]:
    """The writable columns of a row whose value differs from the stored project's."""
    read_only = {s.name for s in PROJECT_COLUMNS if s.read_only} | {"id"}
    out = set()
    for name, value in values.items():
        if name in read_only:
            continue
        if name in ("activity_status", "default_currency", "sensitivity") and value == "":
            continue
        if value != current.get(name):
            out.add(name)
    return out
