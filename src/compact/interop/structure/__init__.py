"""The compact structure file (YAML, format ``compact-structure``, version 1).

``reader`` parses and validates a file into a ``StructureDocument`` of plain records, reporting
every problem with its file, line and field path; ``writer`` exports the registry in the same
format; ``schema.json`` is the format's JSON Schema (draft 2020-12). The services that write the
records to the database are in ``compact.registry.services``. Documented in docs/structure-file.md.
"""

from compact.interop.structure.reader import (
    FORMAT,
    LANGUAGES,
    VERSION,
    Problem,
    StructureDocument,
    StructureError,
    Where,
    read_structure_file,
    read_structure_text,
    structure_schema,
)

__all__ = [
    "FORMAT",
    "LANGUAGES",
    "VERSION",
    "Problem",
    "StructureDocument",
    "StructureError",
    "Where",
    "read_structure_file",
    "read_structure_text",
    "structure_schema",
]
