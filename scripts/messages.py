"""Refresh the catalogues: extract marked strings, keep English identical to the source text,
compile both, and list the Chinese strings still to translate (exit 1 if any)."""

import os
import subprocess
import sys
from pathlib import Path

import polib

PACKAGE = Path(__file__).resolve().parent.parent / "linju"
ENV = {**os.environ, "DJANGO_SETTINGS_MODULE": "linju.settings"}


def django(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "linju", *args], cwd=PACKAGE, env=ENV, check=True)


def main() -> int:
    django("makemessages", "-l", "zh_Hans", "-l", "en", "--ignore", "migrations/*", "--no-obsolete")
    english = polib.pofile(str(PACKAGE / "locale/en/LC_MESSAGES/django.po"))
    for entry in english:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        else:
            entry.msgstr = entry.msgid
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    english.save()
    django("compilemessages")
    chinese = polib.pofile(str(PACKAGE / "locale/zh_Hans/LC_MESSAGES/django.po"))
    todo = [e.msgid for e in chinese if not e.translated() or "fuzzy" in e.flags]
    for msgid in todo:
        print(f"untranslated: {msgid!r}")
    return 1 if todo else 0


if __name__ == "__main__":
    sys.exit(main())
