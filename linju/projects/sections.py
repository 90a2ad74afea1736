"""Sections other apps add to a project's page and to its showcase, without this app importing
them (the same shape as ``linju.notices.board``).

An app registers a provider once, in its ``AppConfig.ready()``::

    from linju.projects.sections import register_section

    register_section("meetings", meetings_section)

``provider(*, project, actor, showcase)`` is called for each view of a project's page
(``showcase`` False) and of its showcase (``showcase`` True; the showcase may be public, so a
provider must then return nothing personal unless the person consented to be shown). It returns
None to show nothing, or a dict ``{"title": "…", "template": "app/section.html", "context":
{...}, "order": 100}``; the page renders ``template`` with ``context`` added to its own (which has
``project`` and ``estate``). Providers should use a constant number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


SECTIONS: dict[str, Callable[..., dict[str, Any] | None]] = {}


def register_section(name: str, provider: Callable[..., dict[str, Any] | None]) -> None:
    """Add (or replace) the section called ``name``."""
    SECTIONS[name] = provider


def unregister_section(name: str) -> None:
    SECTIONS.pop(name, None)


def sections_for(*, project: Any, actor: Any, showcase: bool) -> list[Section]:
    """The sections the providers give for this view of ``project``, in order."""
    shown = []
    for name, provider in list(SECTIONS.items()):
        given = provider(project=project, actor=actor, showcase=showcase)
        if not given:
            continue
        missing = {"title", "template"} - set(given)
        if missing:
            raise ValueError(f"project section {name!r} is missing {sorted(missing)}")
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
