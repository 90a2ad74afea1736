"""Both languages are complete: every string the code marks has its Chinese and its English,
and each compiled catalogue matches its source."""

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

import linju

PACKAGE = Path(linju.__file__).parent
LANGUAGES = ["zh_Hans", "en"]


def _po(language: str) -> Path:
    return PACKAGE / "locale" / language / "LC_MESSAGES" / "django.po"


def _entries(language: str) -> list[polib.POEntry]:
    return [e for e in polib.pofile(str(_po(language))) if not e.obsolete]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated(language):
    untranslated = [
        e.msgid
        for e in _entries(language)
        if not (e.msgstr or (e.msgid_plural and e.msgstr_plural.get(0)))
    ]
    assert untranslated == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_fuzzy_translations(language):
    assert [e.msgid for e in _entries(language) if "fuzzy" in e.flags] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_source(language):
    with _po(language).with_suffix(".mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    stale = []
    for e in _entries(language):
        if e.msgid_plural:
            got, want = catalogue.ngettext(e.msgid, e.msgid_plural, 1), e.msgstr_plural[0]
        elif e.msgctxt:
            got, want = catalogue.pgettext(e.msgctxt, e.msgid), e.msgstr
        else:
            got, want = catalogue.gettext(e.msgid), e.msgstr
        if got != want:
            stale.append(e.msgid)
    assert stale == [], "run `make messages` to recompile the catalogues"


def test_catalogues_hold_the_same_strings():
    zh, en = ({e.msgid for e in _entries(lang)} for lang in LANGUAGES)
    assert sorted(zh ^ en) == []


@pytest.mark.skipif(
    shutil.which("xgettext") is None and not os.environ.get("CI"),
    reason="xgettext (Debian package gettext) is not installed; `make test` installs it",
)
def test_catalogue_holds_every_marked_string(tmp_path):
    """A string marked for translation in code or templates but missing from the catalogue
    fails here (CI always has xgettext, so this never skips there)."""
    copy = tmp_path / "linju"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-location",
            "--no-obsolete",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "linju.settings"},
    )
    extracted = {e.msgid for e in polib.pofile(str(copy / "locale/zh_Hans/LC_MESSAGES/django.po"))}
    known = {e.msgid for e in _entries("zh_Hans")}
    assert len(extracted) > 100  # the extraction itself worked
    assert sorted(extracted - known) == [], "run `make messages` and translate the new strings"
