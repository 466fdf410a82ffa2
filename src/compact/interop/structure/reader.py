"""Reading a compact structure file (YAML, format ``compact-structure`` version 1) into plain records.

Three stages, each reporting every problem it finds with the file name, the line (1-based) and the
field path (``bodies[3].leadership[0].role``):

1. parsing (ruamel.yaml round-trip loader, which keeps line numbers; YAML dates become dates), with
   limits against hostile files: at most ``MAX_FILE_SIZE`` characters, and at most ``MAX_VALUES``
   values nested at most ``MAX_DEPTH`` deep once YAML aliases are expanded (a "billion laughs"
   file of a few hundred bytes would otherwise expand to billions of values);
2. the JSON Schema (draft 2020-12) in ``schema.json``, beside this module;
3. semantic rules that a schema cannot state: references to entities, pillars and bodies resolve;
   numbers, keys and acronyms are unique; periods end on or after they start; names and aliases
   do not point to two entities.

A stage runs only when the previous one found nothing, because its rules need the shape the
previous one guarantees. Nothing here touches the database: ``compact.registry.services.
structure_apply`` turns a ``StructureDocument`` into rows. The format is documented for users in
``docs/structure-file.md``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scanner import RoundTripScanner, ScannerError

FORMAT = "compact-structure"
VERSION = 1
#: The six official languages of the United Nations, as the file writes them (BCP 47 tags).
LANGUAGES: tuple[str, ...] = ("ar", "en", "es", "fr", "ru", "zh-hans")
#: The largest file read, in bytes (in characters for ``read_structure_text``): 10 MB. The shipped
#: file is about 20 kB; a registry at the reference scale of DESIGN.md section 6 exports well under 1 MB.
MAX_FILE_SIZE = 10_000_000
#: The most values (mappings, lists and scalars) a file may hold once its YAML aliases are expanded.
MAX_VALUES = 100_000
#: The deepest nesting of mappings and lists; the format itself needs seven levels.
MAX_DEPTH = 32

Text = Mapping[str, str]
"""A text by language code (``{"en": ..., "fr": ...}``); languages without text are absent."""


# --- Problems ------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Where:
    """A place in a file: ``file`` name, 1-based ``line``, field ``path`` (``""`` for the whole file)."""

    file: str
    line: int
    path: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a structure file, at ``where``; ``str()`` gives ``file:line: path: message``."""

    where: Where
    message: str

    def __str__(self) -> str:
        if self.where.path:
            return f"{self.where}: {self.where.path}: {self.message}"
        return f"{self.where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        """``{"file", "line", "path", "message"}``, for JSON output."""
        return {"file": self.where.file, "line": self.where.line, "path": self.where.path, "message": self.message}


class StructureError(Exception):
    """A structure file (or its application to the database) has problems; nothing was written.

    ``problems`` lists them all, sorted by file and line.
    """

    def __init__(self, problems: Iterable[Problem]):
        self.problems: list[Problem] = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


# --- Records -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewRecord:
    """A review of the strategy: held (``resolution``, ``adopted``) or due (``due_year``)."""

    number: int
    resolution: str
    adopted: dt.date | None
    due_year: int | None
    note: Text
    where: Where


@dataclass(frozen=True)
class StrategyRecord:
    """The strategy the compact implements, e.g. GA resolution 60/288, with its reviews."""

    key: str
    title: Text
    resolution: str
    adopted: dt.date
    reviews: tuple[ReviewRecord, ...]
    where: Where


@dataclass(frozen=True)
class PillarRecord:
    """One pillar of the strategy, by number (1 for pillar I)."""

    number: int
    title: Text
    where: Where


@dataclass(frozen=True)
class AliasRecord:
    """Another spelling of an entity's name."""

    name: str
    where: Where


@dataclass(frozen=True)
class EntityRecord:
    """An entity: ``kind`` is ``"un"`` or ``"non_un"``; ``iati_identifier`` is ``""`` when unknown."""

    acronym: str
    kind: str
    name: Text
    aliases: tuple[AliasRecord, ...]
    iati_identifier: str
    where: Where
    fields: Mapping[str, Where] = field(default_factory=dict)

    def at(self, name: str) -> Where:
        """Where the field ``name`` (``acronym``, ``name.fr``, ...) is written, or the entity itself."""
        return self.fields.get(name, self.where)


@dataclass(frozen=True)
class ParticipationRecord:
    """An entity (by acronym, resolved) taking part in a body as ``member`` or ``observer``."""

    entity: str
    capacity: str
    start: dt.date
    end: dt.date | None
    where: Where


@dataclass(frozen=True)
class LeadershipRecord:
    """An entity (by acronym, resolved) holding ``chair``, ``co_chair`` or ``vice_chair`` of a body."""

    entity: str
    role: str
    start: dt.date
    end: dt.date | None
    position: Text
    where: Where


@dataclass(frozen=True)
class MilestoneRecord:
    """A dated event in a body's life (``date``, ``title``), e.g. the adoption of a programme of work."""

    date: dt.date
    title: Text
    where: Where

    @property
    def key(self) -> tuple[dt.date, str]:
        """What identifies the milestone in its body: the date and the normalized English title (or,
        without one, the first title in the order of ``LANGUAGES``)."""
        return self.date, milestone_title_key(self.title)


@dataclass(frozen=True)
class BodyRecord:
    """A body: ``kind`` is ``compact``, ``committee`` or ``working_group``; references are resolved
    (``pillar`` a pillar number, ``parent`` a body key, ``secretariat`` an acronym). ``milestones`` is
    None when the file has no ``milestones`` key for the body (its milestones are then left alone),
    a tuple in date order otherwise."""

    key: str
    kind: str
    number: int | None
    pillar: int | None
    parent: str | None
    secretariat: str | None
    title: Text
    mandate: Text
    established: dt.date
    dissolved: dt.date | None
    leadership: tuple[LeadershipRecord, ...]
    participants: tuple[ParticipationRecord, ...]
    milestones: tuple[MilestoneRecord, ...] | None
    where: Where
    fields: Mapping[str, Where] = field(default_factory=dict)

    def at(self, name: str) -> Where:
        """Where the field ``name`` is written, or the body itself when it is absent."""
        return self.fields.get(name, self.where)


@dataclass(frozen=True)
class PersonRecord:
    """A focal point or representative of an entity (by acronym), optionally in one body (by key)."""

    given_name: str
    family_name: str
    entity: str
    function: str
    body: str | None
    email: str
    job_title: str
    where: Where
    sensitivity: str = "internal"


@dataclass(frozen=True)
class StructureDocument:
    """A whole structure file, validated, with every reference resolved.

    ``bodies`` are ordered so that a body's parent comes before it. ``people`` is None when the file
    has no ``people`` key (people are then left alone), a tuple otherwise.
    """

    source: str
    strategy: StrategyRecord
    pillars: tuple[PillarRecord, ...]
    entities: tuple[EntityRecord, ...]
    bodies: tuple[BodyRecord, ...]
    people: tuple[PersonRecord, ...] | None


# --- Entry points --------------------------------------------------------------------------------


def read_structure_file(path: str | Path) -> StructureDocument:
    """Read and validate the structure file at ``path`` (UTF-8 YAML).

    Raises:
        StructureError: the file cannot be read, or has problems (all of them are listed).
    """
    path = Path(path)
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_FILE_SIZE + 1)  # never more, whatever the file (or pipe) holds
    except OSError as exc:
        raise StructureError(
            [Problem(Where(str(path), 1), _("cannot read the file: %(error)s") % {"error": exc.strerror or exc})]
        ) from exc
    if len(raw) > MAX_FILE_SIZE:
        raise StructureError([Problem(Where(str(path), 1), _too_large())])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise StructureError([Problem(Where(str(path), line), _("the file is not UTF-8 text"))]) from exc
    return read_structure_text(text, source=str(path))


def read_structure_text(text: str, *, source: str = "<text>") -> StructureDocument:
    """Read and validate a structure file given as text; ``source`` names it in problems.

    Raises:
        StructureError: every problem found (parsing, schema, or semantic rules; see the module doc).
    """
    if len(text) > MAX_FILE_SIZE or len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_SIZE:
        raise StructureError([Problem(Where(source, 1), _too_large())])
    root = _parse(text, source)
    expander = _Expander()
    try:
        data = expander.expand(root)
    except _TooBig as exc:
        raise StructureError([Problem(Where(source, 1), str(exc))]) from exc
    if expander.impossible_dates:
        raise StructureError(
            Problem(_locate(root, steps, source), _("“%(value)s” is not a valid date") % {"value": value})
            for steps, value in expander.impossible_dates)
    problems = _schema_problems(data, root, source)
    if problems:
        raise StructureError(problems)
    builder = _Builder(root, source)
    document = builder.build()
    if builder.problems:
        raise StructureError(builder.problems)
    return document


@cache
def structure_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the format, as a dict (``schema.json`` beside this module)."""
    return json.loads(resources.files(__package__).joinpath("schema.json").read_text(encoding="utf-8"))


def milestone_title_key(title: Text) -> str:
    """The title that identifies a milestone, normalized (``normalize_name``): the English one, or
    without it the first in the order of ``LANGUAGES``; ``""`` when there is none."""
    return normalize_name(main_title(title))


def main_title(title: Text) -> str:
    """The English text of ``title``, or the first in the order of ``LANGUAGES``; ``""`` if none."""
    for lang in ("en", *LANGUAGES):
        if (title.get(lang) or "").strip():
            return title[lang].strip()
    return ""


def _too_large() -> str:
    return _("the file is larger than %(limit)s bytes (10 MB), the most a structure file may hold") % {
        "limit": f"{MAX_FILE_SIZE:,}"}


def normalize_name(name: str) -> str:
    """The form in which names are compared: case folded, spaces collapsed, typographic apostrophes
    (U+2019, U+2018) read as ``'``. "Bureau de lutte contre le terrorisme " and
    "bureau de lutte CONTRE le terrorisme" compare equal."""
    return " ".join(name.replace("\u2019", "'").replace("\u2018", "'").split()).casefold()


# --- Parsing -------------------------------------------------------------------------------------


class _ImpossibleDate(str):
    """The text of a date-shaped value that names no day (2019-02-30), kept so that it is reported
    with its field path once the tree is built."""


class _Constructor(RoundTripConstructor):
    """The round-trip constructor, keeping an impossible date (2019-02-30) as an ``_ImpossibleDate``."""

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError:
            return _ImpossibleDate(node.value)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


def _too_deep_message() -> str:
    return _("the file nests lists or mappings too deeply (at most %(limit)d levels)") % {"limit": MAX_DEPTH}


class _TooDeep(ScannerError):
    """Nesting deeper than ``MAX_DEPTH``, met by the scanner (``problem_mark`` says where)."""


class _Scanner(RoundTripScanner):
    """The round-trip scanner, refusing nesting deeper than ``MAX_DEPTH`` as soon as it is met: deeply
    nested flow collections (``[[[[…``) take the scanner quadratic time, and deep nesting of any kind
    the composer deep recursion."""

    def _too_deep(self) -> _TooDeep:
        return _TooDeep(None, None, _too_deep_message(), self.reader.get_mark())

    def fetch_flow_collection_start(self, TokenClass: Any, to_push: str) -> None:
        if self.flow_level >= MAX_DEPTH:
            raise self._too_deep()
        super().fetch_flow_collection_start(TokenClass, to_push)

    def add_indent(self, column: int) -> bool:
        if len(self.indents) >= MAX_DEPTH:
            raise self._too_deep()
        return super().add_indent(column)


def _parse(text: str, source: str) -> Any:
    yaml = YAML(typ="rt")
    yaml.Scanner = _Scanner
    yaml.Constructor = _Constructor
    try:
        root = yaml.load(text)
    except ReaderError as exc:
        # A character YAML does not allow (a control character such as BEL or NUL): ``position`` counts
        # characters from the start of the text.
        position = exc.position if isinstance(exc.position, int) else 0
        line = text[:position].count("\n") + 1
        character = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        raise StructureError([Problem(Where(source, line), _(
            "not valid YAML: the character %(character)s at column %(column)d is not allowed (control characters "
            "cannot appear in a YAML file)") % {"character": character, "column": column})]) from exc
    except RecursionError as exc:  # a last resort: _Scanner refuses deep nesting before this can happen
        raise StructureError([Problem(Where(source, 1), _too_deep_message())]) from exc
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        last_line = max(1, len(text.splitlines()))
        line = min(mark.line + 1, last_line) if mark is not None else 1
        message = exc.problem or exc.context or str(exc)
        if exc.problem and exc.context and exc.context_mark is not None and exc.context_mark.line + 1 != line:
            message = _("%(problem)s (%(context)s at line %(line)d)") % {
                "problem": exc.problem, "context": exc.context, "line": exc.context_mark.line + 1}
        if not isinstance(exc, ConstructorError | _TooDeep):  # scanner, parser, composer errors: the syntax
            message = _("not valid YAML: %(problem)s") % {"problem": message}
        raise StructureError([Problem(Where(source, line), message)]) from exc
    except YAMLError as exc:  # any other error of the YAML library, without a position
        raise StructureError([Problem(Where(source, 1), _("not valid YAML: %(problem)s") % {"problem": exc})]) from exc
    if root is None:
        raise StructureError([Problem(Where(source, 1), _("the file is empty"))])
    return root


class _TooBig(ValueError):
    """A parsed tree expands to more than ``MAX_VALUES`` values or nests deeper than ``MAX_DEPTH``."""


class _Expander:
    """Turns a parsed tree into JSON data, counting values as it goes: YAML aliases make one parsed
    node appear in many places, and each place counts. Stops with ``_TooBig`` past ``max_values`` or
    ``max_depth``, so a "billion laughs" file costs at most ``max_values`` steps. Collects the
    impossible dates met (``(steps, text)``) in ``impossible_dates``."""

    def __init__(self, max_values: int = MAX_VALUES, max_depth: int = MAX_DEPTH):
        self.max_values = max_values
        self.max_depth = max_depth
        self.count = 0
        self.steps: list[str | int] = []
        self.impossible_dates: list[tuple[tuple[str | int, ...], str]] = []

    def expand(self, node: Any) -> Any:
        self.count += 1
        if self.count > self.max_values:
            raise _TooBig(_(
                "the file holds more than %(limit)s values once its YAML aliases (*name) are expanded; "
                "refused as too large") % {"limit": f"{self.max_values:,}"})
        if len(self.steps) > self.max_depth:
            raise _TooBig(_too_deep_message())
        if isinstance(node, Mapping):
            return {str(k): self._child(k, v) for k, v in node.items()}
        if isinstance(node, list):
            return [self._child(i, v) for i, v in enumerate(node)]
        if isinstance(node, _ImpossibleDate):
            self.impossible_dates.append((tuple(self.steps), str(node)))
            return str(node)
        if isinstance(node, dt.datetime):
            return node.isoformat(sep=" ")
        if isinstance(node, dt.date):
            return node.isoformat()
        return node

    def _child(self, step: Any, node: Any) -> Any:
        self.steps.append(step if isinstance(step, int) else str(step))
        try:
            return self.expand(node)
        finally:
            self.steps.pop()


def json_data(node: Any, *, max_values: int = MAX_VALUES) -> Any:
    """The JSON data model of a parsed YAML tree (dates as ``YYYY-MM-DD`` strings), as the schema sees it.

    Raises:
        ValueError: the tree holds more than ``max_values`` values once its aliases are expanded, or
            nests deeper than ``MAX_DEPTH``.
    """
    return _Expander(max_values).expand(node)


def _join(path: str, step: str | int) -> str:
    if isinstance(step, int):
        return f"{path}[{step}]"
    return f"{path}.{step}" if path else step


def _line_in(container: Any, step: str | int) -> int | None:
    """The 1-based line of ``container[step]`` (the key's line for a mapping), if known."""
    try:
        if isinstance(container, CommentedMap) and step in container:
            return container.lc.key(step)[0] + 1
        if isinstance(container, CommentedSeq) and isinstance(step, int) and 0 <= step < len(container):
            return container.lc.item(step)[0] + 1
    except (KeyError, IndexError, TypeError):
        return None
    return None


def _node_line(node: Any) -> int:
    lc = getattr(node, "lc", None)
    return lc.line + 1 if lc is not None and lc.line is not None else 1


def _locate(root: Any, steps: Iterable[str | int], source: str) -> Where:
    """Follow ``steps`` from ``root``; the line is that of the deepest step found."""
    node, line, path = root, _node_line(root), ""
    for step in steps:
        path = _join(path, step)
        found = _line_in(node, step)
        if found is None:
            continue
        line = found
        node = node[step]
    return Where(source, line, path)


# --- Schema --------------------------------------------------------------------------------------

_TYPE_NAMES = {
    "object": gettext_noop("a mapping (key: value)"),
    "array": gettext_noop("a list"),
    "string": gettext_noop("text"),
    "integer": gettext_noop("a whole number"),
    "number": gettext_noop("a number"),
    "boolean": gettext_noop("true or false"),
    "null": gettext_noop("nothing"),
}
#: What a name is for the entity that holds it (``acronym``, ``name``, ``alias``), in problem messages.
NAME_KINDS = {"acronym": gettext_noop("acronym"), "name": gettext_noop("name"), "alias": gettext_noop("alias")}


def _json_type(value: Any) -> str:
    """The JSON Schema type name of a value as ``json_data`` gives it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        structure_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _schema_problems(data: Any, root: Any, source: str) -> list[Problem]:
    """The schema's verdict on ``data`` (``json_data`` of the parsed tree ``root``), located in ``root``."""
    problems: list[Problem] = []
    for error in _validator().iter_errors(data):
        problems.extend(_explain(error, root, source))
    return problems


def _explain(error: jsonschema.ValidationError, root: Any, source: str) -> list[Problem]:
    """Turn one schema error into located, readable problems."""
    steps = list(error.absolute_path)
    value = error.instance
    kind = error.validator
    if kind == "additionalProperties" and isinstance(value, dict):
        allowed = set(error.schema.get("properties", {}))
        is_text = allowed == set(LANGUAGES)
        problems = []
        for key in value:
            if key in allowed:
                continue
            if is_text:
                message = _("unknown language code “%(code)s”; use one of %(codes)s") % {
                    "code": key, "codes": ", ".join(LANGUAGES)}
            else:
                message = _("unknown field “%(field)s”; expected one of %(fields)s") % {
                    "field": key, "fields": ", ".join(sorted(allowed))}
            problems.append(Problem(_locate(root, [*steps, key], source), message))
        return problems
    if kind == "required":
        match = re.match(r"^'(.+)' is a required property$", error.message)
        missing = match.group(1) if match else str(error.validator_value)
        where = _locate(root, steps, source)
        return [Problem(Where(source, where.line, _join(where.path, missing)),
                        _("required field “%(field)s” is missing") % {"field": missing})]
    where = _locate(root, steps, source)
    if kind == "const" and steps == ["format"]:
        message = _("not a compact structure file: “format” must be “%(format)s”") % {"format": FORMAT}
    elif kind == "const" and steps == ["version"]:
        message = _("unsupported version %(value)s; this software reads version %(version)d") % {
            "value": value, "version": VERSION}
    elif kind == "const":
        message = _("must be “%(value)s”") % {"value": error.validator_value}
    elif kind == "enum":
        message = _("“%(value)s” is not one of %(choices)s") % {
            "value": value, "choices": ", ".join(str(c) for c in error.validator_value)}
    elif kind == "type":
        message = _("expected %(expected)s, found %(found)s") % {
            "expected": _(_TYPE_NAMES.get(error.validator_value, str(error.validator_value))),
            "found": _(_TYPE_NAMES[_json_type(value)])}
    elif kind == "format" and error.validator_value == "date":
        message = _("“%(value)s” is not a date; write it YYYY-MM-DD") % {"value": value}
    elif kind == "format":
        message = _("“%(value)s” is not a valid %(format)s") % {"value": value, "format": error.validator_value}
    elif kind == "minLength" and error.validator_value == 1:
        message = _("must not be empty")
    elif kind == "maxLength":
        message = _("is longer than %(limit)d characters") % {"limit": error.validator_value}
    elif kind == "minProperties":
        message = _("give the text in at least one language (%(codes)s)") % {"codes": ", ".join(LANGUAGES)}
    elif kind == "minItems":
        message = _("must list at least %(count)d item(s)") % {"count": error.validator_value}
    elif kind == "minimum":
        message = _("must be at least %(limit)s") % {"limit": error.validator_value}
    elif kind == "maximum":
        message = _("must be at most %(limit)s") % {"limit": error.validator_value}
    elif kind == "pattern" and error.validator_value == structure_schema()["$defs"]["acronym"]["pattern"]:
        message = _("“%(value)s” is not a valid acronym: it must start with a letter or digit and hold only "
                    "letters, digits, dots, hyphens and underscores") % {"value": value}
    elif kind == "pattern":
        message = _("“%(value)s” may contain only letters, digits, hyphens and underscores") % {"value": value}
    else:
        message = error.message
    return [Problem(where, message)]


# --- Semantic rules ------------------------------------------------------------------------------


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _text(node: Any) -> dict[str, str]:
    if not node:
        return {}
    return {lang: str(node[lang]).strip() for lang in LANGUAGES if lang in node and str(node[lang]).strip()}


def _overlaps(a_start: dt.date, a_end: dt.date | None, b_start: dt.date, b_end: dt.date | None) -> bool:
    return a_start <= (b_end or dt.date.max) and b_start <= (a_end or dt.date.max)


class _Builder:
    """Checks the semantic rules on a schema-valid tree and builds the records."""

    def __init__(self, root: CommentedMap, source: str):
        self.root = root
        self.source = source
        self.problems: list[Problem] = []
        # normalized name -> (index in "entities", acronym, what the name is for it, where it is written)
        self.names: dict[str, tuple[int, str, str, Where]] = {}

    def at(self, steps: list[str | int]) -> Where:
        return _locate(self.root, steps, self.source)

    def problem(self, steps: list[str | int], message: str) -> None:
        self.problems.append(Problem(self.at(steps), message))

    def build(self) -> StructureDocument:
        strategy = self._strategy()
        pillars = self._pillars()
        entities = self._entities()
        bodies = self._bodies({p.number for p in pillars})
        people = self._people({b.key for b in bodies}) if "people" in self.root else None
        return StructureDocument(self.source, strategy, pillars, entities, bodies, people)

    # Strategy and pillars

    def _strategy(self) -> StrategyRecord:
        node = self.root["strategy"]
        reviews: list[ReviewRecord] = []
        seen: dict[int, Where] = {}
        for i, review in enumerate(node.get("reviews") or []):
            steps: list[str | int] = ["strategy", "reviews", i]
            number = review["number"]
            if number in seen:
                self.problem([*steps, "number"], _("duplicate review number %(number)d (first at line %(line)d)")
                             % {"number": number, "line": seen[number].line})
            seen.setdefault(number, self.at(steps))
            adopted = _date(review.get("adopted"))
            if adopted is None and review.get("due_year") is None:
                self.problem(steps, _("give the review's adoption date (“adopted”) or, for a review still to "
                                      "come, its “due_year”"))
            if review.get("resolution") and adopted is None:
                self.problem([*steps, "adopted"], _("a review with a resolution needs its adoption date"))
            reviews.append(ReviewRecord(
                number=number, resolution=str(review.get("resolution") or "").strip(), adopted=adopted,
                due_year=review.get("due_year"), note=_text(review.get("note")), where=self.at(steps)))
        return StrategyRecord(
            key=node["key"], title=_text(node["title"]), resolution=str(node["resolution"]).strip(),
            adopted=_date(node["adopted"]), reviews=tuple(reviews), where=self.at(["strategy"]))

    def _pillars(self) -> tuple[PillarRecord, ...]:
        records: list[PillarRecord] = []
        seen: dict[int, Where] = {}
        for i, node in enumerate(self.root["pillars"]):
            number = node["number"]
            if number in seen:
                self.problem(["pillars", i, "number"], _("duplicate pillar number %(number)d (first at line %(line)d)")
                             % {"number": number, "line": seen[number].line})
                continue
            seen[number] = self.at(["pillars", i])
            records.append(PillarRecord(number=number, title=_text(node["title"]), where=seen[number]))
        return tuple(records)

    # Entities and the names that refer to them

    def _claim(self, name: str, index: int, acronym: str, what: str, steps: list[str | int]) -> None:
        """Record that ``name`` refers to entity number ``index``; report it when it already refers to
        another entity."""
        key = normalize_name(name)
        if not key:
            return
        held = self.names.get(key)
        if held is None:
            self.names[key] = (index, acronym, what, self.at(steps))
            return
        other_index, other, other_what, other_where = held
        if other_index == index:
            return
        if what == "acronym" and other_what == "acronym":
            message = _("duplicate acronym “%(name)s” (first at line %(line)d)") % {
                "name": name, "line": other_where.line}
        elif what == "alias":
            message = _("alias “%(name)s” is already the %(what)s of %(other)s (line %(line)d)") % {
                "name": name, "what": _(NAME_KINDS[other_what]), "other": other, "line": other_where.line}
        else:
            message = _("“%(name)s” is already the %(what)s of %(other)s (line %(line)d); references to it "
                        "would be ambiguous") % {"name": name, "what": _(NAME_KINDS[other_what]), "other": other,
                                                 "line": other_where.line}
        self.problem(steps, message)

    def _entities(self) -> tuple[EntityRecord, ...]:
        nodes = list(enumerate(self.root["entities"]))
        # Acronyms first, then names, then aliases: a collision is reported on the weaker claim.
        for i, node in nodes:
            self._claim(node["acronym"], i, node["acronym"], "acronym", ["entities", i, "acronym"])
        for i, node in nodes:
            for lang in LANGUAGES:
                if lang in node["name"]:
                    self._claim(node["name"][lang], i, node["acronym"], "name", ["entities", i, "name", lang])
        records: list[EntityRecord] = []
        for i, node in nodes:
            aliases = []
            own: dict[str, Where] = {}
            for j, alias in enumerate(node.get("aliases") or []):
                steps: list[str | int] = ["entities", i, "aliases", j]
                if normalize_name(alias) in own:
                    self.problem(steps, _("alias “%(name)s” is listed twice (first at line %(line)d)")
                                 % {"name": alias, "line": own[normalize_name(alias)].line})
                    continue
                own[normalize_name(alias)] = self.at(steps)
                self._claim(alias, i, node["acronym"], "alias", steps)
                aliases.append(AliasRecord(name=alias.strip(), where=own[normalize_name(alias)]))
            fields = {"acronym": self.at(["entities", i, "acronym"])}
            fields.update({f"name.{lang}": self.at(["entities", i, "name", lang]) for lang in node["name"]})
            records.append(EntityRecord(
                acronym=node["acronym"].strip(), kind=node["kind"], name=_text(node["name"]), aliases=tuple(aliases),
                iati_identifier=str(node.get("iati_identifier") or "").strip(), where=self.at(["entities", i]),
                fields=fields))
        return tuple(records)

    def _entity(self, ref: str, steps: list[str | int]) -> str | None:
        """The acronym that ``ref`` (an acronym, a name or an alias) stands for; reports unknown ones."""
        held = self.names.get(normalize_name(ref))
        if held is None:
            self.problem(steps, _("unknown entity “%(ref)s”: not an acronym, name or alias of an entity in "
                                  "“entities”") % {"ref": ref})
            return None
        return held[1]

    # Bodies

    def _period(self, node: Any, steps: list[str | int], start_key: str = "start", end_key: str = "end"):
        start, end = _date(node[start_key]), _date(node.get(end_key))
        if end is not None and end < start:
            self.problem([*steps, end_key], _("“%(end_key)s” %(end)s is before “%(start_key)s” %(start)s") % {
                "end_key": end_key, "end": end.isoformat(), "start_key": start_key, "start": start.isoformat()})
        return start, end

    def _bodies(self, pillars: set[int]) -> tuple[BodyRecord, ...]:
        nodes = list(enumerate(self.root["bodies"]))
        keys: dict[str, Where] = {}
        numbers: dict[tuple[str, int], tuple[str, Where]] = {}
        for i, node in nodes:
            key = node["key"]
            if key in keys:
                self.problem(["bodies", i, "key"], _("duplicate body key “%(key)s” (first at line %(line)d)")
                             % {"key": key, "line": keys[key].line})
            keys.setdefault(key, self.at(["bodies", i]))
            if node.get("number") is not None:
                slot = (node["kind"], node["number"])
                if slot in numbers:
                    self.problem(["bodies", i, "number"],
                                 _("duplicate %(kind)s number %(number)d: “%(other)s” has it (line %(line)d)")
                                 % {"kind": node["kind"].replace("_", "-"), "number": node["number"],
                                    "other": numbers[slot][0], "line": numbers[slot][1].line})
                numbers.setdefault(slot, (key, self.at(["bodies", i, "number"])))
        records: dict[str, BodyRecord] = {}
        for i, node in nodes:
            record = self._body(i, node, pillars, keys)
            records.setdefault(record.key, record)
        return self._parents_first(records)

    def _body(self, i: int, node: Any, pillars: set[int], keys: Mapping[str, Where]) -> BodyRecord:
        steps: list[str | int] = ["bodies", i]
        pillar = node.get("pillar")
        if pillar is not None and pillar not in pillars:
            self.problem([*steps, "pillar"], _("unknown pillar %(number)d: not in “pillars”") % {"number": pillar})
        parent = node.get("parent")
        if parent is not None and parent not in keys:
            self.problem([*steps, "parent"], _("unknown body “%(key)s”: not a key in “bodies”") % {"key": parent})
        elif parent == node["key"]:
            self.problem([*steps, "parent"], _("a body cannot be its own parent"))
        secretariat = None
        if node.get("secretariat") is not None:
            secretariat = self._entity(node["secretariat"], [*steps, "secretariat"])
        established, dissolved = self._period(node, steps, "established", "dissolved")

        leadership: list[LeadershipRecord] = []
        for j, item in enumerate(node.get("leadership") or []):
            item_steps = [*steps, "leadership", j]
            acronym = self._entity(item["entity"], [*item_steps, "entity"])
            start, end = self._period(item, item_steps)
            if acronym is None:
                continue
            for other in leadership:
                if (other.entity, other.role) == (acronym, item["role"]) and _overlaps(start, end, other.start, other.end):
                    self.problem(item_steps, _("%(entity)s already holds the %(role)s over an overlapping period "
                                               "(line %(line)d)") % {"entity": acronym, "role": item["role"],
                                                                     "line": other.where.line})
                    break
            leadership.append(LeadershipRecord(
                entity=acronym, role=item["role"], start=start, end=end, position=_text(item.get("position")),
                where=self.at(item_steps)))

        participants: list[ParticipationRecord] = []
        for j, item in enumerate(node.get("participants") or []):
            item_steps = [*steps, "participants", j]
            acronym = self._entity(item["entity"], [*item_steps, "entity"])
            start, end = self._period(item, item_steps)
            if acronym is None:
                continue
            for other in participants:
                if other.entity == acronym and _overlaps(start, end, other.start, other.end):
                    self.problem(item_steps, _("%(entity)s already takes part in this body over an overlapping "
                                               "period (line %(line)d)") % {"entity": acronym, "line": other.where.line})
                    break
            participants.append(ParticipationRecord(
                entity=acronym, capacity=item["capacity"], start=start, end=end, where=self.at(item_steps)))

        milestones = self._milestones(node["milestones"] or [], steps) if "milestones" in node else None
        fields = {name: self.at([*steps, name]) for name in node}
        return BodyRecord(
            key=node["key"], kind=node["kind"], number=node.get("number"), pillar=pillar, parent=parent,
            secretariat=secretariat, title=_text(node["title"]), mandate=_text(node.get("mandate")),
            established=established, dissolved=dissolved, leadership=tuple(leadership),
            participants=tuple(participants), milestones=milestones, where=self.at(steps), fields=fields)

    def _milestones(self, nodes: list, steps: list[str | int]) -> tuple[MilestoneRecord, ...]:
        """A body's milestones in date order; two with the same date and identifying title are reported."""
        records: list[MilestoneRecord] = []
        seen: dict[tuple[dt.date, str], Where] = {}
        for j, item in enumerate(nodes):
            item_steps = [*steps, "milestones", j]
            record = MilestoneRecord(date=_date(item["date"]), title=_text(item["title"]), where=self.at(item_steps))
            if record.key in seen:
                self.problem(item_steps, _("the milestone of %(date)s “%(title)s” is listed twice (first at line "
                                           "%(line)d)") % {"date": record.date.isoformat(),
                                                           "title": main_title(record.title),
                                                           "line": seen[record.key].line})
                continue
            seen[record.key] = record.where
            records.append(record)
        return tuple(sorted(records, key=lambda r: (r.date, r.key[1])))

    def _parents_first(self, records: dict[str, BodyRecord]) -> tuple[BodyRecord, ...]:
        """Order bodies so that each parent precedes its children; report cycles."""
        ordered: list[BodyRecord] = []
        state: dict[str, str] = {}

        def visit(key: str, trail: list[str]) -> None:
            if state.get(key) == "done":
                return
            if state.get(key) == "visiting":
                record = records[key]
                self.problems.append(Problem(record.at("parent"), _("bodies report to each other in a circle: "
                                                                    "%(cycle)s") % {"cycle": " → ".join([*trail, key])}))
                return
            state[key] = "visiting"
            parent = records[key].parent
            if parent in records and parent != key:
                visit(parent, [*trail, key])
            state[key] = "done"
            ordered.append(records[key])

        for key in records:
            visit(key, [])
        return tuple(ordered)

    # People

    def _people(self, bodies: set[str]) -> tuple[PersonRecord, ...]:
        records: list[PersonRecord] = []
        seen: dict[tuple[str, str, str], Where] = {}
        for i, node in enumerate(self.root["people"] or []):
            steps: list[str | int] = ["people", i]
            acronym = self._entity(node["entity"], [*steps, "entity"])
            body = node.get("body")
            if body is not None and body not in bodies:
                self.problem([*steps, "body"], _("unknown body “%(key)s”: not a key in “bodies”") % {"key": body})
            if acronym is None:
                continue
            key = (acronym, node["given_name"].strip(), node["family_name"].strip())
            if key in seen:
                self.problem(steps, _("%(given)s %(family)s of %(entity)s is listed twice (first at line %(line)d)")
                             % {"given": key[1], "family": key[2], "entity": acronym, "line": seen[key].line})
                continue
            seen[key] = self.at(steps)
            records.append(PersonRecord(
                given_name=key[1], family_name=key[2], entity=acronym, function=node["function"], body=body,
                email=str(node.get("email") or "").strip(), job_title=str(node.get("job_title") or "").strip(),
                where=seen[key], sensitivity=node.get("sensitivity") or "internal"))
        return tuple(records)
