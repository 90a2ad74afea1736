"""Both languages are complete: every string the code marks has its Chinese, and the compiled
catalogue matches the source one."""

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
PO = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _entries():
    return [e for e in polib.pofile(str(PO)) if not e.obsolete]


def test_every_string_has_chinese():
    untranslated = [
        e.msgid for e in _entries() if not (e.msgstr or (e.msgid_plural and e.msgstr_plural.get(0)))
    ]
    assert untranslated == []


def test_no_fuzzy_translations():
    assert [e.msgid for e in _entries() if "fuzzy" in e.flags] == []


def test_compiled_catalogue_matches_source():
    catalogue = gettext.GNUTranslations(MO.open("rb"))
    stale = []
    for e in _entries():
        if e.msgid_plural:
            got = catalogue.ngettext(e.msgid, e.msgid_plural, 1)
            want = e.msgstr_plural[0]
        else:
            got = (
                catalogue.gettext(e.msgid)
                if not e.msgctxt
                else catalogue.pgettext(e.msgctxt, e.msgid)
            )
            want = e.msgstr
        if got != want:
            stale.append(e.msgid)
    assert stale == [], "run `make messages` to recompile the catalogue"


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
    known = {e.msgid for e in _entries()}
    assert len(extracted) > 100  # the extraction itself worked
    assert sorted(extracted - known) == [], "run `make messages` and translate the new strings"
