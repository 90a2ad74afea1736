"""Reads for conventions: lists, one convention with its clauses and comment counts, comments
of a clause, versions and their differences, read marks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from linju.community.models import Building, Estate, Occupancy, Person
from linju.conventions.diff import ClauseDiff, clauses_diff
from linju.conventions.models import (
    Clause,
    ClauseComment,
    Convention,
    ConventionRead,
    ConventionVersion,
)
from linju.core import permissions

COMMENTS_PAGE = 50


def convention_list(
    *, actor: Any, estate: Estate, building: Building | None = None
) -> QuerySet[Convention]:
    """The conventions of ``estate`` the actor may see (of ``building`` and the whole estate's,
    if given), adopted ones first."""
    conventions = permissions.visible(actor, Convention.objects.filter(estate=estate))
    if building is not None:
        conventions = conventions.filter(Q(building=building) | Q(building__isnull=True))
    return conventions.select_related("building", "current_version").order_by(
        "building__sort_key", "building__number", "kind", "-created_at", "-pk"
    )


def convention_get(*, actor: Any, estate: Estate, convention_id: int) -> Convention:
    """One convention the actor may see; missing, hidden and foreign give the same 404."""
    return permissions.get_visible_or_404(  # type: ignore[return-value]
        actor,
        Convention.objects.filter(estate=estate).select_related(
            "estate", "building", "decision", "current_version", "voted_version", "notice"
        ),
        pk=convention_id,
    )


def clauses(*, convention: Convention) -> list[Clause]:
    """The working draft, each clause with ``comment_count`` (shown comments) and
    ``hidden_count``. One query."""
    return list(
        Clause.objects.filter(convention=convention)
        .annotate(
            comment_count=Count("comments", filter=Q(comments__hidden_at__isnull=True)),
            hidden_count=Count("comments", filter=Q(comments__hidden_at__isnull=False)),
        )
        .order_by("position", "pk")
    )


def clause_get(*, convention: Convention, clause_id: int) -> Clause:
    try:
        return Clause.objects.select_related("convention__estate", "convention__building").get(
            convention=convention, pk=clause_id
        )
    except (Clause.DoesNotExist, ValueError, OverflowError):
        raise Http404 from None


def clause_comments(*, clause: Clause) -> list[ClauseComment]:
    """A clause's comments, oldest first (hidden ones too: the page shows the reason in their
    place), each with ``author_name``. Two queries."""
    comments = list(
        ClauseComment.objects.filter(clause=clause)
        .select_related("author", "hidden_by")
        .order_by("created_at", "pk")[:COMMENTS_PAGE]
    )
    names = author_names(estate_id=clause.estate_id, users=[c.author for c in comments])
    for comment in comments:
        name = names.get(comment.author_id, "") if comment.author_id else ""
        comment.author_name = name  # type: ignore[attr-defined]
    return comments


def comment_get(*, convention: Convention, comment_id: int) -> ClauseComment:
    try:
        return ClauseComment.objects.select_related("convention", "clause").get(
            convention=convention, pk=comment_id
        )
    except (ClauseComment.DoesNotExist, ValueError, OverflowError):
        raise Http404 from None


def author_names(*, estate_id: int, users: list[Any]) -> dict[int, str]:
    """How a commenter is named to neighbours: the display name they chose, else their
    surname from the roster followed by "**" (never the full name or a phone number)."""
    ids = {u.pk for u in users if u is not None}
    roster = dict(
        Person.objects.filter(estate_id=estate_id, user_id__in=ids).values_list(
            "user_id", "full_name"
        )
    )
    names: dict[int, str] = {}
    for user in users:
        if user is None or user.pk in names:
            continue
        if user.display_name:
            names[user.pk] = user.display_name
        elif roster.get(user.pk):
            names[user.pk] = f"{roster[user.pk][0]}**"
        else:
            names[user.pk] = f"{user.get_username()[:1]}**"
    return names


def versions(*, convention: Convention) -> list[ConventionVersion]:
    return list(
        ConventionVersion.objects.filter(convention=convention)
        .select_related("created_by")
        .order_by("-number")
    )


def version_get(*, convention: Convention, number: int) -> ConventionVersion:
    try:
        return ConventionVersion.objects.get(convention=convention, number=number)
    except (ConventionVersion.DoesNotExist, ValueError, OverflowError):
        raise Http404 from None


def version_diff(
    a: ConventionVersion | list[str], b: ConventionVersion | list[str]
) -> list[ClauseDiff]:
    """How ``b`` differs from ``a``, clause by clause (insertions in ``<ins>``, deletions in
    ``<del>``, everything escaped)."""
    old = a.clauses if isinstance(a, ConventionVersion) else list(a)
    new = b.clauses if isinstance(b, ConventionVersion) else list(b)
    return clauses_diff(old, new)


def read_count(*, convention: Convention) -> int:
    """How many residents have marked the adopted version as read."""
    if convention.current_version_id is None:
        return 0
    return ConventionRead.objects.filter(version_id=convention.current_version_id).count()


@dataclass(frozen=True)
class Reader:
    name: str
    flats: list[str]
    read_at: Any


def readers(*, convention: Convention) -> list[Reader]:
    """Who has marked the adopted version as read, first first: their roster name (else their
    account's name) and current flats. For the building's leader and staff only. Three
    queries."""
    if convention.current_version_id is None:
        return []
    reads = list(
        ConventionRead.objects.filter(version_id=convention.current_version_id)
        .select_related("user")
        .order_by("read_at", "pk")
    )
    people = {
        p.user_id: p
        for p in Person.objects.filter(
            estate_id=convention.estate_id, user_id__in=[r.user_id for r in reads]
        )
    }
    flats: dict[int, list[str]] = {}
    for occupancy in (
        Occupancy.objects.current()
        .filter(person__in=people.values())
        .select_related("flat__building", "flat__entrance", "person")
        .order_by("flat__building__sort_key", "flat__number")
    ):
        flats.setdefault(occupancy.person.user_id, []).append(occupancy.flat.label)
    return [
        Reader(
            name=people[r.user_id].full_name if r.user_id in people else str(r.user),
            flats=flats.get(r.user_id, []),
            read_at=r.read_at,
        )
        for r in reads
    ]


def convention_accepted(*, user: Any, convention: Convention) -> bool:
    """Has ``user`` marked the CURRENT adopted version of ``convention`` as read (accepted)?
    False for anyone not signed in, and for a convention not (or no longer) adopted."""
    if not getattr(user, "is_authenticated", False):
        return False
    if convention.status != Convention.Status.ADOPTED or convention.current_version_id is None:
        return False
    return ConventionRead.objects.filter(
        version_id=convention.current_version_id, user=user
    ).exists()


def read_mark(*, user: Any, convention: Convention) -> ConventionRead | None:
    """The user's mark on the current version, if any."""
    if not getattr(user, "is_authenticated", False) or convention.current_version_id is None:
        return None
    return ConventionRead.objects.filter(
        version_id=convention.current_version_id, user=user
    ).first()
