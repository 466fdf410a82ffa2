"""The columns of an exchange file and how a file's columns are matched to them.

A column of a format (``Spec``) has a name (the header row) and an HXL hashtag (the row under it). A
file's column is matched by its hashtag first, tag and attributes compared as sets (attributes in any
order, any case); a column without a hashtag is matched by its name (case, spaces and hyphens ignored).
A column matching nothing, and two columns giving the same field, are problems of the file; so is a
file in which no column is recognised.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from django.utils.translation import gettext as _

from compact.interop.tabular import hxl
from compact.interop.tabular.reader import Column, Table


@dataclass(frozen=True)
class Spec:
    """A column of a format: ``name`` (header), ``hashtag`` (HXL, as written in templates), ``help`` (what
    the cell holds, for the documentation and the exchange page), and ``read_only`` for a column that
    exports show and imports ignore (e.g. a project's stage, changed only by its workflow)."""

    name: str
    hashtag: str
    help: str = ""
    read_only: bool = False

    @cached_property
    def tag(self) -> hxl.Hashtag:
        """The parsed hashtag."""
        return hxl.spec(self.hashtag)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an import: the ``row`` number as in the file (None for the whole file), the
    ``column`` (letter and name, e.g. ``C “lead_entity”``), its ``hashtag``, the ``value`` found and the
    ``message`` saying why it is refused."""

    row: int | None
    column: str
    hashtag: str
    value: str
    message: str

    def __str__(self) -> str:
        place = [_("row %(row)d") % {"row": self.row}] if self.row is not None else []
        if self.column:
            place.append(_("column %(column)s") % {"column": self.column})
        if self.hashtag:
            place.append(self.hashtag)
        value = f" '{self.value}'" if self.value else ""
        return f"{', '.join(place)}{value}: {self.message}" if place else self.message

    def as_dict(self) -> dict:
        """JSON-friendly form."""
        return {"row": self.row, "column": self.column, "hashtag": self.hashtag, "value": self.value, "message": self.message}


def column_label(column: Column) -> str:
    """``C “lead_entity”``: a column's letter and name, as problems give it."""
    return f"{column.letter} “{column.header}”" if column.header else column.letter


def _folded(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())


@dataclass
class Matched:
    """A file's columns matched to a format: ``columns`` maps a spec name to the file's column;
    ``problems`` lists the unknown and doubled columns."""

    columns: dict[str, Column]
    problems: list[Problem]

    def has(self, name: str) -> bool:
        """Whether the file has the column ``name``."""
        return name in self.columns


def match(table: Table, specs: Sequence[Spec]) -> Matched:
    """Match ``table``'s columns to ``specs`` (see the module docstring)."""
    by_tag = {(s.tag.tag, s.tag.attributes): s for s in specs}
    by_name = {_folded(s.name): s for s in specs}
    found: dict[str, Column] = {}
    problems: list[Problem] = []
    for column in table.columns:
        spec = None
        if column.hashtag is not None:
            spec = by_tag.get((column.hashtag.tag, column.hashtag.attributes))
        elif column.tag_text.strip():
            problems.append(Problem(table.hashtag_row, column_label(column), column.tag_text.strip(), "",
                                    _("This is not an HXL hashtag (a hashtag is like #org +lead).")))
            continue
        elif column.header:
            spec = by_name.get(_folded(column.header))
        else:
            continue  # an unnamed, untagged column: notes beside the table
        if spec is None:
            problems.append(Problem(table.hashtag_row, column_label(column), column.tag_text.strip(), column.header,
                                    _("Unknown column: it matches no column of this kind of file (see the template).")))
        elif spec.name in found:
            problems.append(Problem(table.hashtag_row, column_label(column), column.tag_text.strip(), column.header,
                                    _("Column %(other)s gives %(name)s already.")
                                    % {"other": column_label(found[spec.name]), "name": spec.name}))
        else:
            found[spec.name] = column
    if not found and not problems:
        problems.append(Problem(None, "", "", "", _("No column of the file is recognised.")))
    return Matched(found, problems)


def names(specs: Iterable[Spec]) -> list[str]:
    """The header names of ``specs``."""
    return [s.name for s in specs]
