"""Reading an IATI 2.01, 2.02 or 2.03 activity file into checked ``ActivityRecord``s, streaming.

``open_iati(source, name)`` reads the start of the file: its encoding, its root element and version, and
its first activity. A file that cannot be read at all raises ``IatiFileError``, whose findings say where
and why: not XML, an encoding that cannot be told, not an IATI activity file (an organisation file, say),
IATI 1.x, an unknown version. ``IatiSource.activities()`` then reads the activities one by one with
``lxml.etree.iterparse``; each activity element is turned into a record, cleared, and the elements before
it are deleted, so memory stays flat whatever the size of the file.

Encodings, as real files come (XML 1.0 section 4.3.3 and appendix F):

- A byte-order mark decides: UTF-8, UTF-16 (little- or big-endian) or UTF-32 (little- or big-endian);
  a UTF-16 or UTF-32 file is re-encoded to UTF-8 lazily, chunk by chunk, with the ``codecs`` module.
  An encoding declaration that contradicts the mark is overruled by it, with a note.
- Without a mark, the XML declaration's ``encoding`` is used (``windows-1252``, ``ISO-8859-1``, ...,
  any encoding Python knows, re-encoded lazily); without a declaration the file is UTF-8, and a byte
  that is not UTF-8 is reported with its line: a single-byte file could be Windows-1252 as well as
  Windows-1251 or another code page, which no rule tells apart without guessing.
- A file in UTF-16 or UTF-32 without a byte-order mark is refused (XML requires the mark; pyIATI's
  ``valid-undetectable-encoding.xml``), and so is a declared encoding Python does not know.
- Whitespace (and a second byte-order mark) before ``<?xml`` is skipped without reading the file into
  memory; line numbers stay those of the file.

Every normalisation is said in ``IatiSource.notes``. Foreign-namespace elements and attributes
(extensions, e.g. d-portal's ``dstore:dataset``) are ignored: the mapping reads only IATI's own names,
and the namespaces a file declares are noted once. The schema accepts extensions in some places only
(attributes on most elements, elements at the end of a few), so an activity the schema refuses while the
file declares a namespace has its foreign elements and attributes removed and is validated again: an
extension anywhere is ignored, never an error. Elements and attributes without a namespace that IATI
does not define stay errors (the schema tests ``*-extensibility.xml``); on the IATI schema test corpus
this gives the same verdict as validating whole documents.

lxml's default limits stay on (a text node of at most 10 MB, elements nested at most 256 deep): any IATI
file is far within them, a hostile one is stopped, and they do not limit the size of the file, which is
read in chunks (a 230 MB file reads in about 70 MB of memory). Entities are never expanded, no DTD is
loaded and nothing is fetched from the network.

Versions: a 2.01 or 2.02 file is validated against the 2.03 schema, which is sound: every 2.01 and 2.02
schema test file (all should-pass) and sample validates against it, and the elements the platform reads
have the same meaning and codes in the three versions (a ``value`` without ``currency`` takes the
activity's ``default-currency``; percentages may have decimals). Codes are checked against the IATI 2.03
codelists with ``compact.reference.codelists.check_code`` (withdrawn codes accepted with a note, old
data may carry them; a different letter case accepted in the codelist's case, with a note). Codes of
vocabularies the platform does not check (the publisher's own, 98 and 99, and others) are kept as given.
The IATI rules are in ``compact.interop.iati.rules``.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from lxml import etree

from compact.interop.iati import rules
from compact.interop.iati.records import (
    ActivityRecord,
    Budget,
    Country,
    Finding,
    Organisation,
    PolicyMarker,
    Region,
    RelatedActivity,
    Sector,
    Tag,
    Texts,
    Transaction,
)
from compact.interop.iati.schema import validate_activity, validate_root
from compact.reference import codelists

#: The versions of IATI read.
SUPPORTED_VERSIONS: tuple[str, ...] = ("2.01", "2.02", "2.03")
#: ``progress`` is called each time this many more bytes of the file have been read (1 MiB).
PROGRESS_EVERY = 1024 * 1024
#: Bytes read at a time.
CHUNK = 64 * 1024
#: ``open_iati`` reads at most this far (4 MiB) to find the root element and the first activity.
SNIFF_LIMIT = 4 * 1024 * 1024
XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"
XML_LANG = f"{{{XML_NAMESPACE}}}lang"
WHITESPACE = b" \t\r\n"

#: Byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one), with the codec
#: that reads what follows and the name said in notes.
BYTE_ORDER_MARKS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 little-endian"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 big-endian"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 little-endian"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 big-endian"),
)
#: What a BOM-less file in UTF-16 or UTF-32 looks like when decoded (XML 1.0 appendix F).
BOMLESS_UNICODE: tuple[tuple[str, str], ...] = (
    ("utf-32-le", "UTF-32 little-endian"), ("utf-32-be", "UTF-32 big-endian"),
    ("utf-16-le", "UTF-16 little-endian"), ("utf-16-be", "UTF-16 big-endian"),
)
_DECLARED_ENCODING = re.compile(rb"""^<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']""")
_ISO_DATE = re.compile(r"^\s*(-?\d{4,}-\d{2}-\d{2})(?:Z|[+-]\d{2}:\d{2})?\s*$")
_FOREIGN_ELEMENTS = etree.XPath("descendant::*[namespace-uri() != '']")
_FOREIGN_ATTRIBUTES = etree.XPath(
    f"descendant-or-self::*/@*[namespace-uri() != '' and namespace-uri() != '{XML_NAMESPACE}']")
#: White space as XML (and XPath's ``normalize-space``) counts it.
XML_WHITESPACE = " \t\r\n"
_OWN_FOREIGN_ATTRIBUTES = etree.XPath(f"@*[namespace-uri() != '' and namespace-uri() != '{XML_NAMESPACE}']")

#: Which codelist checks the codes of each vocabulary; other vocabularies keep their codes as given.
SECTOR_LISTS = {"1": "Sector", "2": "SectorCategory", "7": "UNSDG-Goals", "8": "UNSDG-Targets"}
TAG_LISTS = {"2": "UNSDG-Goals", "3": "UNSDG-Targets"}
REGION_LISTS = {"1": "Region"}
POLICY_MARKER_LISTS = {"1": "PolicyMarker"}

Progress = Callable[[int], None]


class IatiFileError(ValueError):
    """A file that cannot be read as an IATI 2.x activity file at all; ``findings`` say where and why
    (each with the file, the line when known and the element)."""

    def __init__(self, findings: list[Finding]):
        super().__init__("\n".join(str(finding) for finding in findings))
        self.findings = findings


def _refuse(name: str, message: str, line: int | None = None, element: str = "") -> IatiFileError:
    return IatiFileError([Finding(file=name, line=line, element=element, message=message)])


# --- Byte streams ----------------------------------------------------------------------------------


class _Counted:
    """A binary stream that counts the bytes read from it (``count``), for progress."""

    def __init__(self, raw):
        self.raw = raw
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.count += len(data)
        return data


class _Prefixed:
    """``prefix``, then the rest of ``stream``: gives back the bytes already read to look at the start."""

    def __init__(self, prefix: bytes, stream):
        self.prefix = prefix
        self.stream = stream

    def read(self, size: int = -1) -> bytes:
        if self.prefix:
            data, self.prefix = self.prefix, b""
            return data
        return self.stream.read(size if size and size > 0 else CHUNK)


class _Transcoded:
    """A stream in ``codec`` read as UTF-8, chunk by chunk (``codecs`` incremental decoder), with the
    whitespace and byte-order marks before the first ``<`` dropped (``skipped`` holds them)."""

    def __init__(self, stream, codec: str, label: str, name: str):
        self.stream = stream
        self.decoder = codecs.getincrementaldecoder(codec)("strict")
        self.label = label
        self.name = name
        self.lines = 0
        self.started = False
        self.skipped = ""
        self.done = False

    def read(self, size: int = -1) -> bytes:
        while not self.done:
            raw = self.stream.read(CHUNK)
            final = not raw
            try:
                text = self.decoder.decode(raw, final)
            except UnicodeDecodeError as exc:
                before = exc.object[:exc.start].decode(exc.encoding, errors="replace") if exc.start else ""
                line = self.lines + before.count("\n") + 1
                raise _refuse(self.name, _(
                    "The file is not valid %(encoding)s: bytes on line %(line)d cannot be read in that encoding.")
                    % {"encoding": self.label, "line": line}, line) from exc
            self.done = final
            self.lines += text.count("\n")
            if not self.started:
                body = text.lstrip(" \t\r\n\ufeff")
                self.skipped += text[:len(text) - len(body)]
                if not body and not final:
                    continue
                self.started = True
                text = body
            if text:
                return text.encode("utf-8")
        return b""


class _Replayable:
    """A stream whose first bytes, read while recording, can be read again once (``rewind``)."""

    def __init__(self, stream):
        self.stream = stream
        self.recorded: list[bytes] = []
        self.recording = True
        self.replay: list[bytes] = []

    def read(self, size: int = -1) -> bytes:
        if self.replay:
            return self.replay.pop(0)
        data = self.stream.read(size if size and size > 0 else CHUNK)
        if self.recording:
            self.recorded.append(data)
        return data

    def rewind(self) -> None:
        self.replay, self.recorded, self.recording = self.recorded, [], False


class _Prepared:
    """A file opened for lxml: ``reader`` gives UTF-8 bytes starting at the first ``<``, ``counter`` counts
    the file's bytes, ``line_offset`` is the number of lines skipped before the first ``<`` (known once
    the reading has started), ``label`` the encoding as notes name it; ``close`` closes what this module
    opened."""

    def __init__(self, reader, counter: _Counted, label: str, notes: list[str], line_offset=0, close=None):
        self.reader = reader
        self.counter = counter
        self.label = label
        self.notes = notes
        self._line_offset = line_offset
        self.close = close or (lambda: None)

    @property
    def line_offset(self) -> int:
        transcoded = self._transcoded()  # lines skipped before reading (single-byte) plus those the decoder skipped
        return self._line_offset + (transcoded.skipped.count("\n") if transcoded else 0)

    def _transcoded(self) -> _Transcoded | None:
        reader = self.reader.stream if isinstance(self.reader, _Replayable) else self.reader
        return reader if isinstance(reader, _Transcoded) else None

    def skip_notes(self) -> list[str]:
        """Notes on what was skipped before the first ``<`` of a re-encoded file (known once read)."""
        transcoded = self._transcoded()
        if transcoded is None:
            return []
        notes = []
        if "\ufeff" in transcoded.skipped:
            notes.append(_("A second byte-order mark at the start of the file was ignored."))
        if transcoded.skipped.replace("\ufeff", ""):
            notes.append(_whitespace_note(transcoded.skipped.count("\n")))
        return notes


def _declared(head: bytes) -> str:
    """The encoding named by the XML declaration at the start of ``head`` (ASCII bytes), or ``""``."""
    match = _DECLARED_ENCODING.match(head[:1024])
    return match.group(1).decode("ascii") if match else ""


def _python_name(encoding: str) -> str:
    """Python's name of a text encoding (``windows-1252`` -> ``cp1252``), ``""`` when Python does not know it
    or when it is not a text encoding (``zlib``, ``base64``, ``rot13``: codecs that are not character sets)."""
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        return ""
    return info.name if getattr(info, "_is_text_encoding", True) and info.name not in _NOT_CHARACTER_SETS else ""


#: Text codecs of Python that are not character sets a file can be written in.
_NOT_CHARACTER_SETS = frozenset({"rot-13", "punycode", "undefined", "idna", "unicode-escape", "raw-unicode-escape"})


def _whitespace_note(lines: int) -> str:
    if not lines:
        return _("Leading whitespace before the XML declaration was ignored.")
    return ngettext("Leading whitespace before the XML declaration was ignored (%(count)d line).",
                    "Leading whitespace before the XML declaration was ignored (%(count)d lines).", lines) % {"count": lines}


def _prepare(raw, name: str, close=None) -> _Prepared:
    """Open the binary stream ``raw`` for lxml (module docstring). Raises ``IatiFileError`` for an empty
    file, a UTF-16/UTF-32 file without byte-order mark, an unknown declared encoding or binary data."""
    counter = _Counted(raw)
    head = counter.read(CHUNK)
    if not head:
        raise _refuse(name, _("The file is empty."))
    mark, codec, label = next((found for found in BYTE_ORDER_MARKS if head.startswith(found[0])), (b"", "", ""))
    if mark and codec != "utf-8":
        reader = _Transcoded(_Prefixed(head[len(mark):], counter), codec, label, name)
        text = head[len(mark):].decode(codec, errors="ignore").lstrip(" \t\r\n\ufeff")
        declared = _declared(text.encode("ascii", errors="ignore"))
        notes = [_("Read as %(encoding)s (byte-order mark).") % {"encoding": label}]
        if declared and _python_name(declared)[:6] != codec[:6]:
            notes.append(_("The XML declaration names the encoding %(declared)s, but the byte-order mark says "
                           "%(encoding)s: read as %(encoding)s.") % {"declared": declared, "encoding": label})
        return _Prepared(reader, counter, label.split(" ")[0], notes, close=close)
    body = head[len(mark):]
    if b"\x00" in body[:256]:
        for candidate, candidate_label in BOMLESS_UNICODE:
            text = body[:64].decode(candidate, errors="replace")
            if text.lstrip().startswith("<") and "\x00" not in text and "\ufffd" not in text:
                raise _refuse(name, _(
                    "The encoding of the file cannot be detected: it looks like %(encoding)s but has no byte-order "
                    "mark, which XML requires for that encoding. Save it as UTF-8 (or with a byte-order mark).")
                    % {"encoding": candidate_label}, 1)
        raise _refuse(name, _("The file is not XML: it holds binary data (NUL bytes at its start)."), 1)
    skipped = 0
    lines = 0
    while True:
        stripped = body.lstrip(WHITESPACE)
        skipped += len(body) - len(stripped)
        lines += body.count(b"\n", 0, len(body) - len(stripped))
        if stripped:
            break
        body = counter.read(CHUNK)
        if not body:
            raise _refuse(name, _("The file holds only whitespace."))
    notes = [_("Read as UTF-8 (byte-order mark).")] if mark else []
    if skipped:
        notes.append(_whitespace_note(lines))
    declared = _declared(stripped)
    if declared:
        python_name = _python_name(declared)
        if not python_name:
            raise _refuse(name, _("The XML declaration names the encoding “%(encoding)s”, which is not known: save "
                                  "the file as UTF-8.") % {"encoding": declared}, 1 + lines)
        if mark and python_name != "utf-8":
            notes.append(_("The XML declaration names the encoding %(declared)s, but the byte-order mark says "
                           "UTF-8: read as UTF-8.") % {"declared": declared})
        elif python_name.startswith(("utf-16", "utf-32")):
            notes.append(_("The XML declaration names the encoding %(declared)s, but the file is written with "
                           "one byte per character and no byte-order mark: read as UTF-8.") % {"declared": declared})
        elif python_name != "utf-8":
            reader = _Transcoded(_Prefixed(stripped, counter), python_name, declared, name)
            notes.append(_("Read as %(encoding)s, as its XML declaration says.") % {"encoding": declared})
            return _Prepared(reader, counter, declared, notes, line_offset=lines, close=close)
    return _Prepared(_Prefixed(stripped, counter), counter, "UTF-8", notes, line_offset=lines, close=close)


def _opener(source: Any) -> tuple[Callable[[], tuple[Any, Callable[[], None] | None]], int | None, bool]:
    """How to open ``source`` (bytes, a path, or a binary file object): ``(open, size, reopenable)``;
    ``open()`` returns ``(stream, close)``, ``close`` being None for a stream the caller owns."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        return (lambda: (io.BytesIO(data), None)), len(data), True
    if isinstance(source, str | os.PathLike):
        path = Path(source)

        def open_path():
            stream = path.open("rb")
            return stream, stream.close

        return open_path, path.stat().st_size, True
    if not hasattr(source, "read"):
        raise TypeError(f"An IATI source is bytes, a path or a binary file object, not {type(source).__name__}.")
    size = getattr(source, "size", None)
    seekable = bool(getattr(source, "seekable", lambda: False)())
    start = source.tell() if seekable else 0
    if size is None and seekable:
        size = source.seek(0, os.SEEK_END) - start
        source.seek(start)

    def open_object():
        if seekable:
            source.seek(start)
        return source, None

    return open_object, size, seekable


# --- The start of the file -------------------------------------------------------------------------


def _syntax_error(name: str, exc: etree.XMLSyntaxError, prepared: _Prepared) -> IatiFileError:
    """An ``IatiFileError`` for lxml's ``exc``, at the file's line, said in words a publisher can act on."""
    line = (exc.lineno + prepared.line_offset) if exc.lineno else None
    message = exc.msg or str(exc)
    if exc.code == etree.ErrorTypes.ERR_INVALID_ENCODING or "not proper UTF-8" in message:
        if prepared.label == "UTF-8":
            text = _("Line %(line)d is not UTF-8, and the XML declaration names no other encoding. The file may be "
                     "Windows-1252 (Latin-1), Windows-1251 or another code page, which cannot be told apart safely: "
                     "save it as UTF-8, or name its encoding in its first line "
                     "(<?xml version=\"1.0\" encoding=\"windows-1252\"?>).")
        else:
            text = _("Line %(line)d cannot be read in the encoding %(encoding)s.")
        return _refuse(name, text % {"line": line or 1, "encoding": prepared.label}, line)
    if line == 1 + prepared.line_offset and exc.position and exc.position[1] <= 1:
        return _refuse(name, _("The file is not XML: %(error)s.") % {"error": message}, line)
    return _refuse(name, _("The file is not well-formed XML: %(error)s.") % {"error": message}, line)


#: lxml's options for reading a prepared stream: no network, no DTD, no entity expansion; comments and
#: processing instructions dropped (a comment inside a narrative no longer cuts its text); UTF-8, since
#: ``_prepare`` has re-encoded anything else.
PARSER_OPTIONS: dict[str, Any] = {"no_network": True, "resolve_entities": False, "load_dtd": False,
                                  "remove_comments": True, "remove_pis": True, "encoding": "UTF-8"}


def _sniff(name: str, prepared: _Prepared) -> tuple[etree._Element, etree._Element | None]:
    """The root element (with its attributes) and the first activity (or None) of the file, read with a
    pull parser over at most ``SNIFF_LIMIT`` bytes. Raises ``IatiFileError`` when that start is not XML."""
    parser = etree.XMLPullParser(events=("start", "end"), **PARSER_OPTIONS)
    root = first = None
    depth = read = 0
    while True:
        chunk = prepared.reader.read(CHUNK)
        read += len(chunk)
        try:
            if chunk:
                parser.feed(chunk)
            else:
                parser.close()
        except etree.XMLSyntaxError as exc:
            raise _syntax_error(name, exc, prepared) from exc
        for event, element in parser.read_events():
            if event == "start":
                depth += 1
                if root is None:
                    root = element
            else:
                depth -= 1
                if depth == 1 and element.tag == "iati-activity" and first is None:
                    first = element
        if root is not None and (first is not None or root.tag != "iati-activities" or depth == 0):
            break
        if not chunk or read > SNIFF_LIMIT:
            break
    if root is None:
        raise _refuse(name, _("The file is not XML: no element was found."), 1)
    return root, first


def _written_as_1x(activity: etree._Element | None) -> bool:
    """Whether an activity is written as IATI 1.x writes them: texts directly inside ``title``,
    ``description``, ``reporting-org`` or ``participating-org`` (2.x puts them in ``narrative``), or
    activity dates typed by words (``start``, ``end``)."""
    if activity is None:
        return False
    for tag in ("title", "description", "reporting-org", "participating-org"):
        for element in activity.iterfind(tag):
            if (element.text or "").strip():
                return True
    return any(not (date.get("type") or "").strip().isdigit() for date in activity.iterfind("activity-date"))


def _check_root(name: str, root: etree._Element, first: etree._Element | None, line_offset: int) -> str:
    """The IATI version of the file whose root is ``root``; raises ``IatiFileError`` when the file is not
    an IATI 2.01-2.03 activity file."""
    line = (root.sourceline or 1) + line_offset
    qname = etree.QName(root)
    if qname.namespace or qname.localname != "iati-activities":
        if qname.localname == "iati-organisations" and not qname.namespace:
            message = _("This is an IATI organisation file (its root element is iati-organisations): only IATI "
                        "activity files, whose root element is iati-activities, are imported.")
        else:
            message = _("This is not an IATI activity file: its root element is %(element)s, where an IATI activity "
                        "file has iati-activities.") % {"element": root.tag}
        raise _refuse(name, message, line, root.tag if isinstance(root.tag, str) else "")
    version = (root.get("version") or "").strip()
    upgrade = _("the publisher can convert it to version 2.03 (the IATI Standard's upgrade guidance says how) "
                "and publish it again.")
    if version in SUPPORTED_VERSIONS:
        return version
    if version.startswith("1."):
        message = _("IATI version %(version)s is not supported: only 2.01, 2.02 and 2.03 are; %(upgrade)s") % {
            "version": version, "upgrade": upgrade}
    elif not version and _written_as_1x(first):
        message = _("The file does not give its IATI version, and its activities are written as in IATI 1.x (texts "
                    "directly inside elements rather than in narrative elements). IATI 1.x is not supported: only "
                    "2.01, 2.02 and 2.03 are; %(upgrade)s") % {"upgrade": upgrade}
    elif not version:
        message = _("The file does not give its IATI version (the version attribute of iati-activities): only "
                    "2.01, 2.02 and 2.03 are read.")
    else:
        message = _("“%(version)s” is not a version of IATI that is read: only 2.01, 2.02 and 2.03 are.") % {
            "version": version}
    raise _refuse(name, message, line, "iati-activities")


def open_iati(source: Any, name: str) -> IatiSource:
    """Open the IATI activity file ``source`` (bytes, a path, or a binary file object, left open) called
    ``name`` (the name labels findings). Reads the start of the file only; ``activities()`` reads the rest.

    Raises ``IatiFileError`` when the file cannot be read at all (module docstring) and ``TypeError`` for
    a source of another type.
    """
    opener, size, reopenable = _opener(source)
    stream, close = opener()
    prepared = _prepare(stream, name, close)
    try:
        prepared.reader = _Replayable(prepared.reader)
        root, first = _sniff(name, prepared)
        version = _check_root(name, root, first, prepared.line_offset)
    except BaseException:
        prepared.close()
        raise
    iati = IatiSource(name=name, version=version, size=size, encoding=prepared.label,
                      notes=[Finding(file=name, line=None, element="", message=note)
                             for note in prepared.notes + prepared.skip_notes()])
    iati._header(root, first, prepared.line_offset)
    prepared.reader.rewind()
    if reopenable:
        prepared.close()
        iati._reopen = lambda: _reprepare(opener, name)
    else:
        iati._pending = prepared
    return iati


def _reprepare(opener, name: str) -> _Prepared:
    """The source opened again from its start, for another reading."""
    stream, close = opener()
    return _prepare(stream, name, close)


# --- Activities ------------------------------------------------------------------------------------


def _iso_date(value: str | None) -> dt.date | None:
    """An ``xsd:date`` (``2016-09-04``, with or without a time zone) as a date; None when it is not one."""
    if value and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:  # the usual form, read without the pattern: exactly the dates it reads
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    match = _ISO_DATE.match(value or "")
    if not match:
        return None
    try:
        return dt.date.fromisoformat(match.group(1))
    except ValueError:
        return None


def _decimal(value: str | None) -> Decimal | None:
    """An ``xsd:decimal`` as a Decimal; None when it is not one."""
    try:
        number = Decimal((value or "").strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


#: Findings kept per activity; beyond, the activity says how many more it has (bounded work and report).
MAX_FINDINGS = 200


class _Activity:
    """Maps one ``<iati-activity>`` element to an ``ActivityRecord``, collecting findings. Codes are
    checked against their codelist; what was normalised is counted, and said once per activity. Element
    paths are worked out only for findings."""

    def __init__(self, iati: IatiSource, element: etree._Element, position: int, line_offset: int):
        self.iati = iati
        self.element = element
        self.position = position
        self.offset = line_offset
        self.base = f"iati-activities/iati-activity[{position}]"
        self.line = (element.sourceline or 0) + line_offset
        identifier = next(element.iterchildren("iati-identifier"), None)
        self.identifier = ((identifier.text if identifier is not None else None) or "").strip()
        self.problems: list[Finding] = []
        self.more_problems = 0
        self.notes: list[Finding] = []
        self.normalised: dict[tuple[str, str, str, str], list] = {}
        self.languages: dict[str, str] = {}
        self.unknown_languages: set[str] = set()
        self.quiet = False
        self.default_currency = ""
        self.defaulted_currency = 0
        self.default_language = iati.default_language

    # Findings

    def path(self, node, attribute: str = "") -> str:
        """The path of ``node`` from the root as libxml2 writes them in schema errors, a position where
        siblings share the name (``iati-activities/iati-activity[3]/budget[2]/value``), with ``/@attribute``
        when given."""
        steps = []
        while node is not None and node is not self.element:
            before = sum(1 for _sibling in node.itersiblings(node.tag, preceding=True))
            after = next(node.itersiblings(node.tag), None) is not None
            steps.append(f"{node.tag}[{before + 1}]" if before or after else node.tag)
            node = node.getparent()
        path = "/".join([self.base, *reversed(steps)])
        return f"{path}/@{attribute}" if attribute else path

    def _line(self, node) -> int:
        return (node.sourceline + self.offset) if node is not None and node.sourceline else self.line

    def problem(self, node, message: str, attribute: str = "") -> None:
        if len(self.problems) >= MAX_FINDINGS:  # an activity with thousands of faults: say how many, not each
            self.more_problems += 1
            return
        self.problems.append(Finding(self.iati.name, self._line(node), self.path(node, attribute), message,
                                     self.identifier))

    def note(self, node, message: str, attribute: str = "") -> None:
        if len(self.notes) >= MAX_FINDINGS:
            return
        self.notes.append(Finding(self.iati.name, self._line(node), self.path(node, attribute), message,
                                  self.identifier))

    def malformed(self, node, message: str, attribute: str = "") -> None:
        """A value the schema refuses too: a problem only when the schema said nothing about the activity,
        so that each fault is reported once."""
        if not self.quiet:
            self.problem(node, message, attribute)

    # Codes

    def code(self, list_name: str, node, attribute: str, value: str | None = None) -> str:
        """The code in ``node``'s ``attribute`` (or ``value``) in ``list_name``'s letter case; an unknown code
        is a problem (and kept as given), a different letter case or a withdrawn code a note."""
        text = node.get(attribute) if value is None else value
        if text in _active_codes(list_name):
            return text
        text = (text or "").strip()
        try:
            code = codelists.check_code(list_name, text, new=False)
        except ValidationError as exc:
            self.problem(node, exc.messages[0], attribute)
            return text
        if code != text:
            self._normalised("case", list_name, text, code, node, attribute)
        if code not in _active_codes(list_name):
            self._normalised("withdrawn", list_name, code, code, node, attribute)
        return code

    def optional_code(self, list_name: str, node, attribute: str, default: str = "") -> str:
        """``code`` when the attribute is given and not blank, else ``default``."""
        given = node.get(attribute)
        if given in _active_codes(list_name):
            return given
        return self.code(list_name, node, attribute, given) if given is not None and given.strip() else default

    def vocabulary_code(self, lists: dict[str, str], vocabulary: str, node) -> str:
        """``node``'s ``code``, checked against the codelist of its ``vocabulary`` when the platform checks
        that one, kept as given (stripped) otherwise."""
        if vocabulary in lists:
            return self.code(lists[vocabulary], node, "code")
        return (node.get("code") or "").strip()

    def language(self, node, uses: int = 1) -> str:
        """``node``'s ``xml:lang`` as an IATI Language code (``iati_language``), with a note when it was written
        otherwise; an unknown language is a problem, kept as given in lower case. Each distinct value is
        checked once per activity; the note counts its ``uses``."""
        text = node.get(XML_LANG)
        if text in _active_codes("Language"):
            return text
        text = text.strip()
        if text not in self.languages:
            try:
                self.languages[text] = iati_language(text)
            except ValidationError as exc:
                self.languages[text] = text.lower()
                self.unknown_languages.add(text)
                self.problem(node, exc.messages[0], "xml:lang")
        language = self.languages[text]
        if language != text and text not in self.unknown_languages:
            self._normalised("case", "Language", text, language, node, "xml:lang", uses)
        return language

    def _normalised(self, kind: str, list_name: str, given: str, code: str, node, attribute: str, uses: int = 1) -> None:
        key = (kind, list_name, given, code)
        if key in self.normalised:
            self.normalised[key][2] += uses
        else:
            self.normalised[key] = [self._line(node), self.path(node, attribute), uses]

    def _say_normalised(self) -> None:
        for (kind, list_name, given, code), (line, path, count) in self.normalised.items():
            if kind == "case":
                message = ngettext(
                    "“%(given)s” was read as “%(code)s”, as the IATI codelist %(codelist)s writes it (once).",
                    "“%(given)s” was read as “%(code)s”, as the IATI codelist %(codelist)s writes it (%(count)d times).",
                    count)
            else:
                message = ngettext(
                    "“%(code)s” is withdrawn from the IATI codelist %(codelist)s; it is kept, as older data may use "
                    "it (once).",
                    "“%(code)s” is withdrawn from the IATI codelist %(codelist)s; it is kept, as older data may use "
                    "it (%(count)d times).", count)
            self.notes.append(Finding(self.iati.name, line, path, message % {
                "given": given, "code": code, "codelist": list_name, "count": count}, self.identifier))

    # Values

    def _narrative_languages(self) -> set[str]:
        """Check the language of every narrative of the activity (each distinct ``xml:lang`` once, each use
        counted) and return the languages of those that have a text; a note when English had to be
        assumed. One walk over the activity's narratives, in document order: a narrative has a text when
        its string value holds a character other than XML white space (XPath's ``normalize-space()``)."""
        active = _active_codes("Language")
        narratives = list(self.element.iter("narrative"))
        given = [narrative.get(XML_LANG) for narrative in narratives]
        written: set[str | None] = set()
        for narrative, language in zip(narratives, given, strict=True):
            if language not in written and (
                    ((text := narrative.text) and text.strip(XML_WHITESPACE))
                    or (len(narrative) and "".join(narrative.itertext()).strip(XML_WHITESPACE))):
                written.add(language)
        if not active.issuperset(set(given) - {None}):
            for language, count in Counter(given).items():  # in the order of first use
                if language is not None and language not in active and language.strip():
                    self.language(narratives[given.index(language)], count)
        without = any(language is None or not language.strip(XML_WHITESPACE) for language in written)
        seen = {language if language in active else self.languages[language.strip()]
                for language in written if language is not None and language.strip()}
        if without:
            seen.add(self.default_language)
            if self.iati.assumed_language and not (self.element.get(XML_LANG) or "").strip():
                self.notes.append(Finding(self.iati.name, self.line, self.base, _(
                    "Neither the activity nor the file gives a language (xml:lang): texts without one are read as "
                    "English."), self.identifier))
        return seen

    def texts(self, element) -> Texts:
        """``{language: text}`` of the ``narrative`` children of ``element`` (stripped; the first one of each
        language); a second text in the same language is left aside with a note."""
        texts: Texts = {}
        active = _active_codes("Language")
        for narrative in element:  # faster than iterchildren("narrative") for the few children of these elements
            if narrative.tag != "narrative":
                continue
            text = narrative.text
            if not text or not (text := text.strip()):
                continue
            given = narrative.get(XML_LANG)
            if given in active:
                language = given
            elif given and given.strip():
                language = self.languages.get(given.strip(), self.default_language)
            else:
                language = self.default_language
            if language in texts:
                self.note(narrative, _("A second text in the language “%(language)s” was left aside.")
                          % {"language": language})
            else:
                texts[language] = text
        return texts

    def organisation(self, element, *, role: bool = False, activity_id: str = "activity-id") -> Organisation:
        """An organisation element (reporting, participating, provider or receiver)."""
        return Organisation(
            ref=(element.get("ref") or "").strip(),
            names=self.texts(element),
            type=self.optional_code("OrganisationType", element, "type"),
            role=self.code("OrganisationRole", element, "role") if role else "",
            activity_id=(element.get(activity_id) or "").strip(),
        )

    def value(self, element) -> tuple[Decimal | None, str, dt.date | None]:
        """A ``value`` element (None when absent): (amount, currency, value date); the currency is the
        value's own, else the activity's default, else ``""`` (a problem for the rules)."""
        if element is None:
            return None, "", None
        currency = self.optional_code("Currency", element, "currency")
        if not currency and self.default_currency:
            currency = self.default_currency
            self.defaulted_currency += 1
        return _decimal(element.text), currency, _iso_date(element.get("value-date"))

    def percentage(self, element) -> Decimal | None:
        given = element.get("percentage")
        if given is None or not given.strip():
            return None
        share = _decimal(given)
        if share is None:
            self.malformed(element, _("The percentage “%(value)s” is not a number.") % {"value": given}, "percentage")
        return share

    def vocabulary(self, element, list_name: str, default: str = "1") -> str:
        return self.optional_code(list_name, element, "vocabulary", default)

    # The activity

    def record(self, schema_errors: list[tuple[int | None, str, str]]) -> ActivityRecord:
        element = self.element
        for line, path, message in schema_errors:
            self.problems.append(Finding(self.iati.name, (line + self.offset) if line else self.line, path,
                                         _("Not valid against the IATI 2.03 schema: %(error)s") % {"error": message},
                                         self.identifier))
        self.quiet = bool(schema_errors)
        if (element.get(XML_LANG) or "").strip():
            self.default_language = self.language(element)
        self.default_currency = self.optional_code("Currency", element, "default-currency")
        record = ActivityRecord(
            identifier=self.identifier, line=self.line, position=self.position, file=self.iati.name,
            version=self.iati.version, default_currency=self.default_currency, default_language=self.default_language,
            hierarchy=(element.get("hierarchy") or "").strip() or "1",
            last_updated=(element.get("last-updated-datetime") or "").strip())
        record.languages = self._narrative_languages()
        handlers = _HANDLERS
        for child in element:
            handler = handlers.get(child.tag)
            if handler is not None:
                handler(self, record, child)
        if self.defaulted_currency:
            self.notes.append(Finding(self.iati.name, self.line, f"{self.base}/@default-currency", ngettext(
                "%(count)d value without a currency takes the activity's default currency %(currency)s.",
                "%(count)d values without a currency take the activity's default currency %(currency)s.",
                self.defaulted_currency) % {"count": self.defaulted_currency, "currency": self.default_currency},
                self.identifier))
        self._say_normalised()
        if self.more_problems:
            self.problems.append(Finding(self.iati.name, self.line, self.base, ngettext(
                "… and %(count)d more problem in this activity.", "… and %(count)d more problems in this activity.",
                self.more_problems) % {"count": self.more_problems}, self.identifier))
        record.problems = self.problems
        record.notes = self.notes
        rules.check_activity(record)
        return record

    def reporting_org(self, record, element):
        if record.reporting_org is None:
            record.reporting_org = self.organisation(element)

    def participating_org(self, record, element):
        record.participating_orgs.append(self.organisation(element, role=True))

    def title(self, record, element):
        for language, text in self.texts(element).items():
            record.titles.setdefault(language, text)

    def description(self, record, element):
        texts = record.descriptions.setdefault(self.optional_code("DescriptionType", element, "type", "1"), {})
        for language, text in self.texts(element).items():
            texts.setdefault(language, text)

    def activity_status(self, record, element):
        if not record.status:
            record.status = self.code("ActivityStatus", element, "code")

    def activity_date(self, record, element):
        kind = self.code("ActivityDateType", element, "type")
        day = _iso_date(element.get("iso-date"))
        if day is None:
            self.malformed(element, _("“%(date)s” is not a date (YYYY-MM-DD).") % {"date": element.get("iso-date") or ""},
                           "iso-date")
        elif kind in record.dates:
            self.note(element, _("A second activity date of type %(type)s was left aside.") % {"type": kind})
        else:
            record.dates[kind] = day

    def recipient_country(self, record, element):
        record.countries.append(Country(code=self.code("Country", element, "code"), percentage=self.percentage(element)))

    def recipient_region(self, record, element):
        vocabulary = self.vocabulary(element, "RegionVocabulary")
        record.regions.append(Region(vocabulary=vocabulary, code=self.vocabulary_code(REGION_LISTS, vocabulary, element),
                                     percentage=self.percentage(element)))

    def sector(self, record, element):
        vocabulary = self.vocabulary(element, "SectorVocabulary")
        record.sectors.append(Sector(vocabulary=vocabulary, code=self.vocabulary_code(SECTOR_LISTS, vocabulary, element),
                                     percentage=self.percentage(element)))

    def tag(self, record, element):
        vocabulary = self.vocabulary(element, "TagVocabulary", default="")
        record.tags.append(Tag(vocabulary=vocabulary, code=self.vocabulary_code(TAG_LISTS, vocabulary, element)))

    def policy_marker(self, record, element):
        vocabulary = self.vocabulary(element, "PolicyMarkerVocabulary")
        record.policy_markers.append(PolicyMarker(
            vocabulary=vocabulary, code=self.vocabulary_code(POLICY_MARKER_LISTS, vocabulary, element),
            significance=self.optional_code("PolicySignificance", element, "significance")))

    def budget(self, record, element):
        kind = self.optional_code("BudgetType", element, "type", "1")
        status = self.optional_code("BudgetStatus", element, "status", "1")
        children = _first_children(element)
        start = _iso_date(_attribute(children, "period-start", "iso-date"))
        end = _iso_date(_attribute(children, "period-end", "iso-date"))
        amount, currency, value_date = self.value(children.get("value"))
        if start is None or end is None or amount is None:
            self.malformed(element, _("A budget needs a period start, a period end and a value; it was left aside."))
            return
        record.budgets.append(Budget(type=kind, status=status, period_start=start, period_end=end, value=amount,
                                     currency=currency, value_date=value_date or start, line=self._line(element)))

    def transaction(self, record, element):
        children = _first_children(element)
        kinds = children.get("transaction-type")
        kind = self.code("TransactionType", kinds, "code") if kinds is not None else ""
        day = _iso_date(_attribute(children, "transaction-date", "iso-date"))
        amount, currency, value_date = self.value(children.get("value"))
        description = children.get("description")
        provider = children.get("provider-org")
        receiver = children.get("receiver-org")
        if day is None or amount is None:
            self.malformed(element, _("A transaction needs a date and a value (IATI Standard); it was left aside."))
            return
        record.transactions.append(Transaction(
            type=kind, date=day, value=amount, currency=currency, value_date=value_date or day,
            ref=(element.get("ref") or "").strip(),
            description=self.texts(description) if description is not None else {},
            provider=self.organisation(provider, activity_id="provider-activity-id") if provider is not None else None,
            receiver=self.organisation(receiver, activity_id="receiver-activity-id") if receiver is not None else None,
            line=self._line(element)))

    def related_activity(self, record, element):
        record.related.append(RelatedActivity(type=self.code("RelatedActivityType", element, "type"),
                                              ref=(element.get("ref") or "").strip()))


def _first_children(element) -> dict[Any, etree._Element]:
    """``{tag: the first child of element with that tag}``, in one pass over the children (``find`` per
    tag costs a walk each)."""
    children: dict[Any, etree._Element] = {}
    for child in element:
        if child.tag not in children:
            children[child.tag] = child
    return children


def _attribute(children: dict[Any, etree._Element], child: str, attribute: str) -> str | None:
    """The ``attribute`` of the first ``child`` of ``_first_children``'s answer, None when either is
    absent."""
    found = children.get(child)
    return found.get(attribute) if found is not None else None


_HANDLERS: dict[str, Callable[[_Activity, ActivityRecord, etree._Element], None]] = {
    "reporting-org": _Activity.reporting_org,
    "participating-org": _Activity.participating_org,
    "title": _Activity.title,
    "description": _Activity.description,
    "activity-status": _Activity.activity_status,
    "activity-date": _Activity.activity_date,
    "recipient-country": _Activity.recipient_country,
    "recipient-region": _Activity.recipient_region,
    "sector": _Activity.sector,
    "tag": _Activity.tag,
    "policy-marker": _Activity.policy_marker,
    "budget": _Activity.budget,
    "transaction": _Activity.transaction,
    "related-activity": _Activity.related_activity,
}

@cache
def _active_codes(list_name: str) -> frozenset[str]:
    """The codes of a codelist that IATI has not withdrawn, for the fast path of codes written exactly."""
    return frozenset(code for code, item in codelists.codelist(list_name).items() if not item.withdrawn)


def iati_language(text: str) -> str:
    """The IATI Language code (ISO 639-1, lower case) of an ``xml:lang`` value written in another letter case
    (``EN``), with a region (``en-GB``) or as an ISO 639-2 code (``ENG``, ``fre``: Unicode CLDR's language
    aliases, through Babel). Raises ``ValidationError`` (``compact.reference.codelists.check_code``'s) for a
    language that is none of these."""
    exact = codelists.codelist("Language")
    if text in exact:
        return text
    base = text.replace("_", "-").split("-")[0].lower()
    base = _language_aliases().get(base, base)
    if base in exact:
        return base
    return codelists.check_code("Language", text, new=False)


@cache
def _language_aliases() -> dict[str, str]:
    """ISO 639-2 and other language codes -> ISO 639-1 (``eng`` -> ``en``, ``fre`` -> ``fr``), from Unicode
    CLDR's language aliases as Babel ships them; only aliases to a plain two-letter code are kept."""
    from babel.core import get_global

    return {alias: target for alias, target in get_global("language_aliases").items()
            if len(target) == 2 and target.isalpha()}


class IatiSource:
    """An IATI activity file opened by ``open_iati``: ``name``, ``version`` (``"2.01"``, ``"2.02"`` or
    ``"2.03"``), ``size`` in bytes (None when a stream does not tell), ``encoding`` as read,
    ``default_language`` (the root's ``xml:lang``, else ``"en"``), ``notes`` on what was normalised and
    ``problems`` of the file as a whole (the root's attributes; elements other than activities at the top
    level; no activity at all). ``activities()`` appends to ``notes`` and ``problems`` what it finds
    there as it reads: read them after the activities."""

    def __init__(self, *, name: str, version: str, size: int | None, encoding: str, notes: list[Finding]):
        self.name = name
        self.version = version
        self.size = size
        self.encoding = encoding
        self.default_language = "en"
        self.assumed_language = True
        self.notes = notes
        self.problems: list[Finding] = []
        self._namespaces: set[str] = set()
        self._pending: _Prepared | None = None
        self._reopen: Callable[[], _Prepared] | None = None

    def __repr__(self) -> str:
        return f"<IatiSource {self.name!r} version {self.version}>"

    def _finding(self, line: int | None, element: str, message: str) -> Finding:
        return Finding(file=self.name, line=line, element=element, message=message)

    def _header(self, root: etree._Element, first: etree._Element | None, line_offset: int) -> None:
        """Check the root's attributes and note the foreign namespaces seen at the start of the file."""
        line = (root.sourceline or 1) + line_offset
        self._note_namespaces(set(root.nsmap.values()) | (set(first.nsmap.values()) if first is not None else set()))
        self._ignore_foreign(root, deep=False)
        for _line, path, message in validate_root(root):
            self.problems.append(self._finding(line, path, _("Not valid against the IATI 2.03 schema: %(error)s")
                                               % {"error": message}))
        given = (root.get(XML_LANG) or "").strip()
        if given:
            self.assumed_language = False
            try:
                self.default_language = iati_language(given)
            except ValidationError as exc:
                self.default_language = given.lower()
                self.problems.append(self._finding(line, "iati-activities/@xml:lang", exc.messages[0]))
            else:
                if self.default_language != given:
                    self.notes.append(self._finding(line, "iati-activities/@xml:lang", _(
                        "The file's language “%(given)s” was read as “%(code)s” (IATI Language codelist).")
                        % {"given": given, "code": self.default_language}))

    def _ignore_foreign(self, element: etree._Element, *, deep: bool = True) -> bool:
        """Remove the foreign-namespace attributes of ``element`` and, when ``deep``, the foreign elements
        (their tail text kept) and attributes of its descendants. Returns whether anything was removed."""
        attributes = (_FOREIGN_ATTRIBUTES if deep else _OWN_FOREIGN_ATTRIBUTES)(element)
        for attribute in attributes:
            del attribute.getparent().attrib[attribute.attrname]
        elements = _FOREIGN_ELEMENTS(element) if deep else []
        for foreign in elements:
            parent = foreign.getparent()
            if parent is None:
                continue
            if foreign.tail:
                previous = foreign.getprevious()
                if previous is not None:
                    previous.tail = (previous.tail or "") + foreign.tail
                else:
                    parent.text = (parent.text or "") + foreign.tail
            parent.remove(foreign)
        return bool(attributes or elements)

    def _note_namespaces(self, found: set[str]) -> None:
        """Note, once each, the namespaces other than XML's that the file declares: nothing in them is read."""
        new = sorted(found - self._namespaces - {XML_NAMESPACE})
        if new:
            self._namespaces.update(new)
            self.notes.append(self._finding(None, "", ngettext(
                "Elements and attributes of the namespace %(namespaces)s (extensions to IATI) were ignored.",
                "Elements and attributes of the namespaces %(namespaces)s (extensions to IATI) were ignored.",
                len(new)) % {"namespaces": ", ".join(new)}))

    def _stray(self, element: etree._Element, line_offset: int) -> None:
        """A child of the root other than an activity: ignored when foreign, a problem otherwise (the schema
        allows only activities and extensions there)."""
        qname = etree.QName(element)
        if qname.namespace:
            self._note_namespaces({qname.namespace})
            return
        self.problems.append(self._finding(
            (element.sourceline + line_offset) if element.sourceline else None, f"iati-activities/{element.tag}",
            _("The element %(element)s is not allowed in iati-activities, which holds activities only.")
            % {"element": element.tag}))

    def _stream(self) -> _Prepared:
        if self._pending is not None:
            prepared, self._pending = self._pending, None
            return prepared
        if self._reopen is None:
            raise RuntimeError(f"{self.name}: this stream has been read already and cannot be read again.")
        return self._reopen()

    def activities(self, progress: Progress | None = None) -> Iterator[ActivityRecord]:
        """The activities of the file, in order, each read, validated (schema, codelists, rules) and mapped.

        One pass with ``lxml.etree.iterparse``; ``progress(bytes_read)`` is called each time another
        ``PROGRESS_EVERY`` bytes have been read, and once at the end. A source given as bytes, a path or a
        seekable file can be read again by calling this again. Raises ``IatiFileError`` when the file turns
        out not to be well-formed further on (no activity is given past that point), ``RuntimeError``
        when a one-way stream is read twice.
        """
        prepared = self._stream()
        try:
            yield from self._activities(prepared, progress)
        finally:
            prepared.close()

    def _activities(self, prepared: _Prepared, progress: Progress | None) -> Iterator[ActivityRecord]:
        context = etree.iterparse(prepared.reader, events=("start", "end", "start-ns"),
                                  tag=("iati-activities", "iati-activity"), **PARSER_OPTIONS)
        root = None
        namespaced = False  # whether a namespace has been declared: only then can anything be foreign
        declared: set[str] = set()
        position = 0
        reported = 0
        offset = 0
        try:
            for event, element in context:
                if root is None:
                    offset = prepared.line_offset  # known once the start of the file has been read
                if event == "start-ns":
                    namespaced = namespaced or element[1] != XML_NAMESPACE
                    declared.add(element[1])
                    continue
                if event == "start":
                    if root is None:
                        root = element
                    continue
                if element is root:
                    for child in root:
                        if child.tag != "iati-activity":
                            self._stray(child, offset)
                    continue
                if element.tag != "iati-activity" or element.getparent() is not root:
                    continue  # an element nested where it does not belong: the schema says so
                position += 1
                if declared:
                    self._note_namespaces(declared)
                    declared = set()
                record = self._record(element, position, offset, namespaced)
                element.clear()
                while element.getprevious() is not None:
                    if root[0].tag != "iati-activity":
                        self._stray(root[0], offset)
                    del root[0]
                if progress is not None and prepared.counter.count - reported >= PROGRESS_EVERY:
                    reported = prepared.counter.count
                    progress(reported)
                yield record
        except etree.XMLSyntaxError as exc:
            raise _syntax_error(self.name, exc, prepared) from exc
        if not position:
            line = (root.sourceline + offset) if root is not None and root.sourceline else None
            self.problems.append(self._finding(line, "iati-activities", _("The file holds no activity.")))
        if progress is not None:
            progress(prepared.counter.count)

    def _record(self, element: etree._Element, position: int, line_offset: int, namespaced: bool) -> ActivityRecord:
        """The record of one activity element. Foreign-namespace elements and attributes are never read by
        the mapping; when the activity is not valid and the file has declared a namespace, they are removed
        and the activity validated again, so that an extension where the schema allows none is ignored
        rather than an error (module docstring)."""
        errors = validate_activity(element, position=position)
        if errors and namespaced and self._ignore_foreign(element):
            errors = validate_activity(element, position=position)
        return _Activity(self, element, position, line_offset).record(errors)
