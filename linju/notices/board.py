"""Sections other apps add to the disclosure board, without the board importing them.

An app registers a provider once, in its ``AppConfig.ready()``::

    from linju.notices.board import register_section

    register_section("funds", funds_section)

``provider(*, estate, building, actor, public)`` is called for each view of the board of
``estate`` (``building`` is None for the whole estate's board). ``actor`` is the viewer's
account (anonymous on a public board) and ``public`` is True when the viewer is not signed in:
the section must then hold no personal data at all (no names, no flat numbers of donors). It
returns None to show nothing, or a dict:

    {"title": "…", "template": "app/section.html", "context": {...}, "order": 100}

The board renders each section's ``template`` as ``{% include %}`` would, with the keys of
``context`` added to the page's own (which has ``estate``, ``building`` and ``public``), in
``order`` (then by name), after the notices.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol


class SectionProvider(Protocol):
    def __call__(
        self, *, estate: Any, building: Any, actor: Any, public: bool
    ) -> dict[str, Any] | None: ...


@dataclass(frozen=True)
class Section:
    """One section as the board renders it."""

    name: str
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


SECTIONS: dict[str, Callable[..., dict[str, Any] | None]] = {}


def register_section(name: str, provider: SectionProvider | Callable[..., Any]) -> None:
    """Add (or replace) the section called ``name``."""
    SECTIONS[name] = provider


def unregister_section(name: str) -> None:
    """Remove the section called ``name`` (nothing happens if there is none)."""
    SECTIONS.pop(name, None)


def sections_for(*, estate: Any, building: Any, actor: Any, public: bool) -> list[Section]:
    """The sections the providers give for this view of the board, in order."""
    shown = []
    for name, provider in list(SECTIONS.items()):
        given = provider(estate=estate, building=building, actor=actor, public=public)
        if not given:
            continue
        missing = {"title", "template"} - set(given)
        if missing:
            raise ValueError(f"board section {name!r} is missing {sorted(missing)}")
        shown.append(
            Section(
                name=name,
                title=str(given["title"]),
                template=str(given["template"]),
                context=dict(given.get("context") or {}),
                order=int(given.get("order", 100)),
            )
        )
    return sorted(shown, key=lambda s: (s.order, s.name))
