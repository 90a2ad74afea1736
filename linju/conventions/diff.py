"""Differences between two versions of a convention, clause by clause.

Chinese is written without spaces, so a clause is compared character by character; a run of
Latin letters or digits counts as one token ("30" or "WiFi" changes as a whole). Every piece of
text is escaped before it is wrapped in ``<ins>``/``<del>``, so a clause can never inject markup.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_TOKEN = re.compile(r"[A-Za-z0-9]+|\s+|.", re.DOTALL)


@dataclass(frozen=True)
class ClauseDiff:
    """One clause of the comparison. ``kind`` is "same", "changed", "added" or "removed";
    ``old``/``new`` are the clause numbers (1-based) in each version, None where absent."""

    kind: str
    old: int | None
    new: int | None
    html: SafeString


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def inline_diff(old: str, new: str) -> SafeString:
    """``new`` with what was removed from ``old`` in ``<del>`` and what was added in ``<ins>``,
    escaped."""
    a, b = tokens(old), tokens(new)
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        removed = escape("".join(a[i1:i2]))
        added = escape("".join(b[j1:j2]))
        if op == "equal":
            parts.append(added)
            continue
        if removed:
            parts.append(f"<del>{removed}</del>")
        if added:
            parts.append(f"<ins>{added}</ins>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above


def _pairs(old: Sequence[str], new: Sequence[str]) -> list[tuple[int | None, int | None]]:
    """Align the clauses of two versions: (index in old, index in new), None where a clause
    was added or removed. Clauses that were edited are paired with their most similar
    counterpart inside the changed block, in order."""
    pairs: list[tuple[int | None, int | None]] = []
    matcher = difflib.SequenceMatcher(None, list(old), list(new), autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pairs.extend(zip(range(i1, i2), range(j1, j2), strict=True))
            continue
        olds, news = list(range(i1, i2)), list(range(j1, j2))
        j = 0
        for i in olds:
            # Pair with the next new clause if they are alike enough; otherwise it was removed.
            best, best_ratio = None, 0.0
            for k in range(j, len(news)):
                ratio = difflib.SequenceMatcher(
                    None, tokens(old[i]), tokens(new[news[k]]), autojunk=False
                ).ratio()
                if ratio > best_ratio:
                    best, best_ratio = k, ratio
            if best is not None and best_ratio >= 0.4:
                pairs.extend((None, news[k]) for k in range(j, best))
                pairs.append((i, news[best]))
                j = best + 1
            else:
                pairs.append((i, None))
        pairs.extend((None, news[k]) for k in range(j, len(news)))
    return pairs


def _wrapped(tag: str, text: str) -> SafeString:
    return mark_safe(f"<{tag}>{escape(text)}</{tag}>")  # noqa: S308 - the text is escaped


def clauses_diff(old: Sequence[str], new: Sequence[str]) -> list[ClauseDiff]:
    """The clause-by-clause comparison of two lists of clause texts."""
    rows: list[ClauseDiff] = []
    for i, j in _pairs(old, new):
        if i is not None and j is not None:
            same = old[i] == new[j]
            html = escape(new[j]) if same else inline_diff(old[i], new[j])
            rows.append(ClauseDiff("same" if same else "changed", i + 1, j + 1, html))
        elif i is not None:
            rows.append(ClauseDiff("removed", i + 1, None, _wrapped("del", old[i])))
        elif j is not None:
            rows.append(ClauseDiff("added", None, j + 1, _wrapped("ins", new[j])))
    return rows
