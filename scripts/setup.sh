#!/usr/bin/env bash
# Prepare this checkout to run: a virtualenv in .venv with Linju installed, and the Debian
# packages that PDFs (WeasyPrint: Pango, CJK fonts), translations (gettext) and the browser
# tests (Chromium) need. Safe to run again and again: it only does what is missing.
#
#   scripts/setup.sh demo   # what `make demo` needs (Chromium optional)
#   scripts/setup.sh test   # what `make test` needs (default)
#   scripts/setup.sh base   # the virtualenv and the packages every purpose needs (lint, bench)
#
# As root, missing Debian packages are installed with apt-get; otherwise the script names them
# and prints the command to install them.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

purpose="${1:-test}"
case "$purpose" in
  demo | test | base) ;;
  *)
    echo "usage: $0 [demo|test|base]" >&2
    exit 2
    ;;
esac

VENV=.venv
STAMP="$VENV/.linju-installed"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
warn() { printf '\033[33mWARNING: %s\033[0m\n' "$*" >&2; }
die() {
  printf '\033[31mERROR: %s\033[0m\n' "$*" >&2
  exit 1
}

# --- Debian packages -------------------------------------------------------------------------

# Needed by every purpose: WeasyPrint's Pango, CJK fonts for PDFs, gettext for translations.
required=(libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk gettext)
# Needed by the browser tests; the demo runs without it.
browser=(chromium)

missing_packages() {
  local pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      printf '%s\n' "$pkg"
    fi
  done
}

have_dpkg=1
command -v dpkg-query >/dev/null 2>&1 || have_dpkg=0

python_ok() { # $1: interpreter; true when it is Python 3.11
  command -v "$1" >/dev/null 2>&1 &&
    "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' 2>/dev/null
}

PYTHON=""
for candidate in python3.11 python3; do
  if python_ok "$candidate"; then
    PYTHON="$candidate"
    break
  fi
done

wanted=("${required[@]}")
[ "$purpose" = test ] && wanted+=("${browser[@]}")
# Debian's own python3 makes virtualenvs only with python3-venv installed.
if [ ! -x "$VENV/bin/python" ] && [ -n "$PYTHON" ] && ! "$PYTHON" -c 'import ensurepip' 2>/dev/null; then
  wanted+=(python3-venv)
fi

if [ "$have_dpkg" = 1 ]; then
  mapfile -t absent < <(missing_packages "${wanted[@]}")
  if [ "${#absent[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      say "Installing Debian packages: ${absent[*]}"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq --no-install-recommends "${absent[@]}" >/dev/null
    else
      msg="These Debian packages are missing: ${absent[*]}
Install them with:
    sudo apt-get update && sudo apt-get install --no-install-recommends ${absent[*]}"
      if [ "$purpose" = test ]; then
        die "$msg"
      fi
      warn "$msg
(Linju runs without them, but PDFs need Pango and fonts-noto-cjk to show Chinese text.)"
    fi
  fi
  if [ "$purpose" = demo ]; then
    mapfile -t no_browser < <(missing_packages "${browser[@]}")
    if [ "${#no_browser[@]}" -gt 0 ]; then
      echo "Note: chromium is not installed. The demo does not need it; the browser tests" \
        "(make test) do."
    fi
  fi
else
  warn "This is not a Debian-like system: make sure Pango, Noto CJK fonts, gettext and" \
    "Chromium are installed."
fi

# --- Virtualenv -------------------------------------------------------------------------------

if [ -x "$VENV/bin/python" ] && ! python_ok "$VENV/bin/python"; then
  die "$VENV holds a Python other than 3.11 (or a broken one). Remove it: rm -rf $VENV"
fi

if [ ! -x "$VENV/bin/python" ]; then
  [ -n "$PYTHON" ] || die "Linju needs Python 3.11 (python3.11 or python3); none was found."
  say "Creating $VENV with $("$PYTHON" --version)"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  rm -f "$STAMP"
fi

if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ]; then
  say "Installing Linju and its development tools into $VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[dev]"
  touch "$STAMP"
fi

# --- Compiled translations --------------------------------------------------------------------

# The .mo files are kept in git (`make messages` refreshes them); compile any that are missing.
if command -v msgfmt >/dev/null 2>&1 && [ -d linju/locale ]; then
  while IFS= read -r -d '' po; do
    mo="${po%.po}.mo"
    if [ ! -f "$mo" ]; then
      say "Compiling $po"
      msgfmt --check-format -o "$mo" "$po"
    fi
  done < <(find linju/locale -name '*.po' -print0)
fi
