"""Reads for the opinion map: discussions a person may see, the next statement to vote on, and
the map as residents see it (groups, never individuals; where the viewer stands).

The map is read from the latest snapshot: nothing here computes it. What leaves this module
for a page or the API names no participant: groups carry their size and statements, "you"
carries the viewer's own position only.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from linju.community.models import Estate
from linju.consultations.opinion.compute import MIN_PARTICIPANTS, MIN_VOTES
from linju.core import permissions
from linju.opinions.models import Discussion, MapSnapshot, Statement, StatementVote

MAX_ID = 2**63 - 1
# Statements with fewer votes than this are shown first (fewest first), so every statement
# gets enough votes to place people; after that, those that split the groups most.
FEW_VOTES = 5
# A group is described by its few most distinctive statements, as Polis does.
REPRESENTATIVE_SHOWN = 5


def _valid_id(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


def discussions_for_estate(*, actor: Any, estate: Estate) -> list[Discussion]:
    """The discussions of ``estate`` the actor may see: open ones first, then by date."""
    found = (
        permissions.visible(actor, Discussion.objects.filter(estate=estate))
        .select_related("estate", "building")
        .annotate(
            accepted_count=Count(
                "statements", filter=Q(statements__status=Statement.Status.ACCEPTED)
            ),
            pending_count=Count(
                "statements", filter=Q(statements__status=Statement.Status.PENDING)
            ),
        )
    )
    rank = {Discussion.Status.OPEN: 0, Discussion.Status.CLOSED: 1, Discussion.Status.DRAFT: 2}
    return sorted(
        found, key=lambda d: (rank[Discussion.Status(d.status)], -d.created_at.timestamp())
    )


def discussion_get(*, actor: Any, estate: Estate, discussion_id: Any) -> Discussion:
    """One discussion the actor may see; missing and hidden are the same 404."""
    pk = _valid_id(discussion_id)
    if pk is None:
        raise Http404
    found = permissions.get_visible_or_404(
        actor, Discussion.objects.filter(estate=estate).select_related("estate", "building"), pk=pk
    )
    assert isinstance(found, Discussion)
    return found


def discussion_get_any(*, actor: Any, discussion_id: Any) -> Discussion:
    """One discussion by id, in whatever estate (the API names no estate in its paths)."""
    pk = _valid_id(discussion_id)
    estate = (
        Estate.objects.filter(pk__in=Discussion.objects.filter(pk=pk).values("estate_id")).first()
        if pk is not None
        else None
    )
    if estate is None:
        raise Http404
    return discussion_get(actor=actor, estate=estate, discussion_id=pk)


def statement_get(*, discussion: Discussion, statement_id: Any) -> Statement:
    pk = _valid_id(statement_id)
    statement = (
        Statement.objects.filter(discussion=discussion, pk=pk).select_related("discussion").first()
        if pk is not None
        else None
    )
    if statement is None:
        raise Http404
    return statement


def accepted_statements(*, discussion: Discussion) -> QuerySet[Statement]:
    return Statement.objects.filter(discussion=discussion, status=Statement.Status.ACCEPTED)


def my_statements(*, discussion: Discussion, user: Any) -> list[Statement]:
    """What ``user`` wrote, newest first, with its status (and the reason if rejected)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Statement.objects.filter(discussion=discussion, author=user).order_by("-created_at", "-pk")
    )


def moderation_queue(*, discussion: Discussion) -> list[Statement]:
    """Statements waiting for moderation, oldest first."""
    return list(
        Statement.objects.filter(discussion=discussion, status=Statement.Status.PENDING).order_by(
            "created_at", "pk"
        )
    )


def latest_snapshot(*, discussion: Discussion) -> MapSnapshot | None:
    return MapSnapshot.objects.filter(discussion=discussion).order_by("-version").first()


@dataclass(frozen=True)
class Progress:
    voted: int
    statements: int

    @property
    def remaining(self) -> int:
        return max(self.statements - self.voted, 0)

    @property
    def needed_for_map(self) -> int:
        """Votes still needed before the viewer is placed in a group."""
        return max(min(MIN_VOTES, self.statements) - self.voted, 0)


def progress(*, discussion: Discussion, user: Any) -> Progress:
    accepted = accepted_statements(discussion=discussion)
    voted = 0
    if getattr(user, "is_authenticated", False):
        voted = StatementVote.objects.filter(
            discussion=discussion, participant=user, statement__in=accepted
        ).count()
    return Progress(voted=voted, statements=accepted.count())


def next_statement(*, discussion: Discussion, user: Any) -> Statement | None:
    """The statement ``user`` should vote on next, or None when there is none (or the
    discussion is not open).

    Skips the user's own statements and those they voted on. Order: statements with fewer than
    ``FEW_VOTES`` votes first, fewest first; then those that split the groups of the latest
    map most (the gap between the groups' agree shares); then fewest votes; then oldest.
    """
    if not discussion.is_open or not getattr(user, "is_authenticated", False):
        return None
    candidates = list(
        accepted_statements(discussion=discussion)
        .exclude(author=user)
        .exclude(votes__participant=user)
        .annotate(vote_count=Count("votes"))
        .order_by("created_at", "pk")
    )
    if not candidates:
        return None
    snapshot = latest_snapshot(discussion=discussion)
    split: dict[str, float] = (snapshot.result.get("split") or {}) if snapshot else {}

    def order(statement: Any) -> tuple[int, int, float, int]:
        count = statement.vote_count
        if count < FEW_VOTES:
            return (0, count, 0.0, 0)
        return (1, 0, -float(split.get(str(statement.pk), 0.0)), count)

    return min(candidates, key=order)  # min keeps the first (oldest) on a tie


# --- The map as residents see it --------------------------------------------------------------


@dataclass(frozen=True)
class ShownStatement:
    """A statement with how a group (or everyone) voted on it, as whole percentages."""

    id: int
    text: str
    direction: str  # "agree" or "disagree"
    share: int  # of the group (or of everyone, for consensus) voting this way
    share_rest: int | None  # of everyone else (representative statements only)


@dataclass(frozen=True)
class GroupView:
    id: int
    label: str
    size: int
    x: float
    y: float
    representative: list[ShownStatement]


@dataclass(frozen=True)
class YouView:
    """The viewer's own place: None group means too few votes to be grouped yet."""

    x: float
    y: float
    group: str | None
    votes: int


@dataclass(frozen=True)
class MapView:
    shown: bool
    message: str
    participants: int
    grouped: int
    statements: int
    votes: int
    computed_at: Any = None
    version: int | None = None
    groups: list[GroupView] = field(default_factory=list)
    consensus: list[ShownStatement] = field(default_factory=list)
    consensus_disagree: list[ShownStatement] = field(default_factory=list)
    you: YouView | None = None


def group_label(group_id: int) -> str:
    letters = string.ascii_uppercase
    return letters[group_id] if group_id < len(letters) else str(group_id + 1)


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _share(cell: list[int] | None, direction: str) -> tuple[int, int]:
    if not cell:
        return 0, 0
    return cell[1] if direction == "agree" else cell[2], cell[0]


def _rest_share(
    shares: dict[str, dict[str, list[int]]], group_key: str, statement: str, direction: str
) -> int:
    part, whole = _share(shares.get("all", {}).get(statement), direction)
    own_part, own_whole = _share(shares.get(group_key, {}).get(statement), direction)
    return _percent(part - own_part, whole - own_whole)


def map_view(*, discussion: Discussion, user: Any) -> MapView:
    """The map of the latest snapshot as the viewer may see it: nothing but a message until
    enough participants (``discussion.min_participants``, at least 15) have each voted on
    enough statements; then the groups (size, representative statements with the group's
    share against everyone else's), the consensus and the viewer's own place."""
    snapshot = latest_snapshot(discussion=discussion)
    needed = max(discussion.min_participants, MIN_PARTICIPANTS)
    waiting = _(
        "The map appears once at least %(n)s people have each voted on %(votes)s statements."
    ) % {"n": needed, "votes": MIN_VOTES}
    if snapshot is None:
        return MapView(False, waiting, 0, 0, 0, 0)
    result = snapshot.result
    summary = result.get("summary") or {}
    grouped = int(summary.get("grouped", 0))
    if not result.get("groups") or grouped < needed:
        return MapView(
            False,
            waiting,
            snapshot.participants,
            0,
            0,
            snapshot.votes_count,
            snapshot.computed_at,
            snapshot.version,
        )
    shares: dict[str, dict[str, list[int]]] = result.get("shares") or {}
    wanted = {
        int(item["statement"])
        for group in result["groups"]
        for item in group.get("representative_detail", [])
    } | {int(s) for s in result.get("consensus", []) + result.get("consensus_disagree", [])}
    texts = dict(
        Statement.objects.filter(
            discussion=discussion, pk__in=wanted, status=Statement.Status.ACCEPTED
        ).values_list("pk", "text")
    )
    groups = []
    for group in result["groups"]:
        key = str(group["id"])
        shown: list[ShownStatement] = []
        for item in group.get("representative_detail", []):
            statement = str(item["statement"])
            if int(statement) not in texts or len(shown) >= REPRESENTATIVE_SHOWN:
                continue
            part, whole = _share(shares.get(key, {}).get(statement), item["direction"])
            shown.append(
                ShownStatement(
                    id=int(statement),
                    text=texts[int(statement)],
                    direction=item["direction"],
                    share=_percent(part, whole),
                    share_rest=_rest_share(shares, key, statement, item["direction"]),
                )
            )
        groups.append(
            GroupView(
                id=int(group["id"]),
                label=group_label(int(group["id"])),
                size=int(group["size"]),
                x=float(group["centre"][0]),
                y=float(group["centre"][1]),
                representative=shown,
            )
        )

    def everyone(ids: list[Any], direction: str) -> list[ShownStatement]:
        found = []
        for statement in ids:
            if int(statement) not in texts:
                continue
            part, whole = _share(shares.get("all", {}).get(str(statement)), direction)
            found.append(
                ShownStatement(
                    int(statement), texts[int(statement)], direction, _percent(part, whole), None
                )
            )
        return found

    you = None
    if getattr(user, "is_authenticated", False):
        place = (result.get("participants") or {}).get(str(user.pk))
        if place is not None:
            group = place.get("group")
            votes = StatementVote.objects.filter(discussion=discussion, participant=user).count()
            you = YouView(
                x=float(place["x"]),
                y=float(place["y"]),
                group=None if group is None else group_label(int(group)),
                votes=votes,
            )
    return MapView(
        shown=True,
        message="",
        participants=int(summary.get("participants", snapshot.participants)),
        grouped=grouped,
        statements=int(summary.get("statements", 0)),
        votes=int(summary.get("votes", snapshot.votes_count)),
        computed_at=snapshot.computed_at,
        version=snapshot.version,
        groups=groups,
        consensus=everyone(result.get("consensus", []), "agree"),
        consensus_disagree=everyone(result.get("consensus_disagree", []), "disagree"),
        you=you,
    )
