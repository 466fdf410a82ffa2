"""The official IATI 2.03 activity schema, shipped with the platform and used offline.

The three XSD files (``iati-activities-schema.xsd``, ``iati-common.xsd`` and W3C's ``xml.xsd``) are copies
of IATI/IATI-Schemas, branch version-2.03, under ``compact/data/reference/iati/schema-2.03/`` (provenance in
``compact/data/reference/README.md``). They are parsed once per process without network access, without
a DTD and without expanding entities; their imports of each other are answered from the package by
file name, so nothing outside the platform is ever read.

The schema declares ``iati-activity`` as a global element, so an activity can be validated on its own as
the reader streams through a file (``validate_activity``); the attributes of the ``iati-activities`` root
are checked apart (``validate_root``). On the IATI schema test corpus (``tests/interop/iati/test_schema.py``)
these two give the same verdict as validating whole documents.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from lxml import etree

#: The folder of the shipped XSD files, inside the ``compact`` package.
SCHEMA_FOLDER = ("data", "reference", "iati", "schema-2.03")
#: The files of the folder; an import of any other file is refused.
SCHEMA_FILES = ("iati-activities-schema.xsd", "iati-common.xsd", "xml.xsd")
#: The entry point.
ACTIVITIES_XSD = "iati-activities-schema.xsd"

#: One schema error: (line in the file or None, element path, libxml2's message).
SchemaError = tuple[int | None, str, str]

def _schema_bytes(name: str) -> bytes:
    return resources.files("compact").joinpath(*SCHEMA_FOLDER, name).read_bytes()


class _PackageResolver(etree.Resolver):
    """Answers the XSDs' ``include`` and ``import`` of each other from the package, by file name; any
    other reference (a URL, another path) is refused rather than fetched."""

    def resolve(self, system_url, public_id, context):
        name = (system_url or "").replace("\\", "/").rsplit("/", 1)[-1]
        if name in SCHEMA_FILES:
            return self.resolve_string(_schema_bytes(name), context, base_url=name)
        raise etree.XMLSchemaParseError(f"The IATI schema refers to {system_url!r}, which is not shipped.")


def safe_parser(**options) -> etree.XMLParser:
    """An lxml parser that never touches the network, never loads a DTD and never expands entities;
    ``options`` are passed on to ``etree.XMLParser`` (e.g. ``remove_comments=True``)."""
    return etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False, **options)


@cache
def activities_schema() -> etree.XMLSchema:
    """The IATI 2.03 activity schema (``lxml.etree.XMLSchema``), built once per process from the
    shipped XSD files. Raises ``lxml.etree.XMLSchemaParseError`` when the shipped files are damaged."""
    parser = safe_parser()
    parser.resolvers.add(_PackageResolver())
    document = etree.fromstring(_schema_bytes(ACTIVITIES_XSD), parser, base_url=ACTIVITIES_XSD).getroottree()
    return etree.XMLSchema(document)


def _errors(log, prefix: str, relative_to: str) -> list[SchemaError]:
    """The entries of an lxml error ``log`` as (line, path, message), each path rewritten from the
    validation root ``relative_to`` (e.g. ``/iati-activity``) to ``prefix`` (e.g.
    ``iati-activities/iati-activity[3]``)."""
    found: list[SchemaError] = []
    for entry in log:
        path = entry.path or ""
        if path.startswith(relative_to):
            path = prefix + path[len(relative_to):]
        elif not path:
            path = prefix
        found.append((entry.line or None, path, entry.message))
    return found


def validate_activity(element: etree._Element, *, position: int | None = None) -> list[SchemaError]:
    """Every error of one ``<iati-activity>`` element against the IATI 2.03 schema, in document order,
    as ``(line, element path, message)``: ``line`` is the line in the file (None when libxml2 gives
    none), the path reads like ``iati-activities/iati-activity[3]/budget[2]/value`` (``position`` is the
    activity's 1-based rank in its file; the bare ``iati-activities/iati-activity`` without it), and the
    message is libxml2's, in English. An empty list means the activity is valid."""
    schema = activities_schema()
    if schema.validate(element):
        return []
    prefix = "iati-activities/iati-activity" + (f"[{position}]" if position else "")
    return _errors(schema.error_log, prefix, "/" + (element.tag if isinstance(element.tag, str) else ""))


def validate_root(element: etree._Element) -> list[SchemaError]:
    """The errors of the ``<iati-activities>`` root element's own attributes (``version`` present,
    ``generated-datetime`` a date-time, ``linked-data-default`` a URI, no attribute the schema does not
    know) against the IATI 2.03 schema, its children left out, as ``(line, path, message)``. An empty
    list means the attributes are valid. The root's children are checked by ``validate_activity``."""
    schema = activities_schema()
    shell = etree.Element(element.tag, dict(element.attrib), nsmap=element.nsmap)
    if schema.validate(shell):
        return []
    line = element.sourceline
    errors = []
    for entry in schema.error_log:
        if entry.type == etree.ErrorTypes.SCHEMAV_ELEMENT_CONTENT and "Missing child element" in entry.message:
            continue  # the shell has no children by construction
        name = element.tag if isinstance(element.tag, str) else ""
        errors.append((line, name, entry.message))
    return errors
