"""HXL hashtags (Humanitarian Exchange Language 1.1, https://hxlstandard.org/standard/1-1final/).

A hashtag is a tag and zero or more attributes: ``#org +impl``, ``#activity +name +i_fr``. Tags and
attributes are case-insensitive, start with a letter and hold letters, digits and underscores; spaces
between them are allowed. Attributes have no order: ``#org +code +lead`` is ``#org +lead +code``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_TAG = re.compile(r"^\s*#([a-z][a-z0-9_]*)((?:\s*\+[a-z][a-z0-9_]*)*)\s*$", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"\+([a-z][a-z0-9_]*)", re.IGNORECASE)

#: How many rows from the top are searched for the hashtag row (libhxl searches the first 25).
SEARCH_ROWS = 25


@dataclass(frozen=True)
class Hashtag:
    """A parsed hashtag: ``tag`` without ``#`` and ``attributes`` without ``+``, both lower case."""

    tag: str
    attributes: frozenset[str] = frozenset()

    def __str__(self) -> str:
        return "#" + self.tag + "".join(f" +{a}" for a in sorted(self.attributes))


def parse(text: object) -> Hashtag | None:
    """The hashtag written in ``text`` (``"#org+impl"``, ``" #org +IMPL "``), or None when ``text``
    is not a hashtag (empty, plain words, a bad character)."""
    if not isinstance(text, str):
        return None
    match = _TAG.match(text)
    if match is None:
        return None
    return Hashtag(match.group(1).lower(), frozenset(a.lower() for a in _ATTRIBUTE.findall(match.group(2))))


def spec(text: str) -> Hashtag:
    """``parse(text)`` for a hashtag written in the code; raises ``ValueError`` when it is not one."""
    found = parse(text)
    if found is None:
        raise ValueError(f"not an HXL hashtag: {text!r}")
    return found


def is_hashtag_row(cells: Sequence[object]) -> bool:
    """Whether a row is the hashtag row: it has at least one hashtag, and at least half of its non-empty
    cells are hashtags (libhxl's rule, which tolerates a stray note in an untagged column)."""
    filled = [c for c in cells if c is not None and str(c).strip()]
    tagged = [c for c in filled if parse(c) is not None]
    return bool(tagged) and 2 * len(tagged) >= len(filled)
