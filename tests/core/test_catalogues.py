"""The interface is in the six UN languages: each catalogue holds every translatable string of the
code and templates, translated and compiled (read with polib)."""

from __future__ import annotations

import shutil
from gettext import GNUTranslations
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

import compact

PACKAGE = Path(compact.__file__).resolve().parent
LANGUAGES = ["fr", "ar", "es", "ru", "zh_Hans"]


def _untranslated(po: polib.POFile) -> list[str]:
    return [e.msgid for e in po if not e.obsolete and ("fuzzy" in e.flags or not e.translated())]


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_translated_and_compiled(language):
    path = PACKAGE / "locale" / language / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(path))
    assert len(po) > 150
    assert _untranslated(po) == []
    with path.with_suffix(".mo").open("rb") as fh:
        compiled = GNUTranslations(fh)
    assert compiled.gettext("Working groups") != "Working groups"
    assert len(compiled._catalog) >= len([e for e in po if not e.obsolete])


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_every_string_of_the_code_and_templates_is_in_every_catalogue(tmp_path, settings, monkeypatch):
    """makemessages, run on a copy of the package, adds nothing untranslated to the committed catalogues."""
    copy = tmp_path / "compact"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static", "data"))
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=LANGUAGES, no_obsolete=True, verbosity=0)
    missing = {
        language: _untranslated(polib.pofile(str(copy / "locale" / language / "LC_MESSAGES" / "django.po")))
        for language in LANGUAGES
    }
    assert {language: ids for language, ids in missing.items() if ids} == {}
