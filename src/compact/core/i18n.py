"""Translated content fields: the text in the active language, or a marked fallback.

Content fields exist in the six UN languages (django-modeltranslation adds ``title_en``,
``title_fr``, ...). An empty string counts as missing. When the active language has no text, the
first available text in ``FALLBACK_ORDER`` is used and the caller learns which language it is in,
so pages can mark the fallback visibly and set ``lang`` on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation

FALLBACK_ORDER: tuple[str, ...] = ("en", "fr", "es", "ru", "ar", "zh-hans")
RTL_LANGUAGES = frozenset({"ar"})


def field_name(field: str, language: str) -> str:
    """Name of the per-language column of ``field``: ``("title", "zh-hans") -> "title_zh_hans"``."""
    return f"{field}_{language.replace('-', '_')}"


@dataclass(frozen=True)
class TranslatedText:
    """A content text and the language it is written in (``is_fallback`` when not the one asked for)."""

    text: str
    language: str
    is_fallback: bool

    def __str__(self) -> str:
        return self.text


def translated(obj, field: str, language: str | None = None) -> TranslatedText:
    """Return ``obj``'s ``field`` in ``language`` (default: the active one), falling back in order.

    Returns a ``TranslatedText`` with an empty ``text`` when no language has any text.
    """
    asked = language or translation.get_language() or settings.LANGUAGE_CODE
    asked = translation.get_supported_language_variant(asked)
    for code in (asked, *FALLBACK_ORDER):
        value = getattr(obj, field_name(field, code), None)
        if value:
            return TranslatedText(text=value, language=code, is_fallback=code != asked)
    return TranslatedText(text="", language=asked, is_fallback=False)


def all_translations(obj, field: str) -> dict[str, str]:
    """Every non-empty language version of ``field``, as ``{language code: text}`` in UN order."""
    out: dict[str, str] = {}
    for code, _name in settings.LANGUAGES:
        value = getattr(obj, field_name(field, code), None)
        if value:
            out[code] = value
    return out
