"""The opinion map for the mini-program: an estate's discussions, one discussion with the
caller's own statements, the next statement to vote on, voting, writing a statement, and the
map (groups, consensus, where the caller stands). Thin over the opinions selectors and
services.

Members of the estate read; residents of the discussion's scope vote and write. A caller
without a token gets 401; a signed-in outsider the same 404 as for a missing discussion. The
map names no participant: groups carry their size and statements, ``you`` the caller's own
place only.
"""

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status

from linju.api.api import bearer
from linju.api.schemas import ErrorOut
from linju.community import selectors as community_selectors
from linju.core import permissions
from linju.opinions import selectors, services
from linju.opinions.models import Discussion, Statement

router = Router(auth=bearer)
READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut}


class DiscussionQuery(Schema):
    estate: str


class DiscussionOut(Schema):
    id: int
    estate: str
    building: str | None
    question: str
    description: str
    status: str
    status_label: str
    is_open: bool
    closes_at: str | None
    statements: int
    may_vote: bool
    may_submit: bool


class MyStatementOut(Schema):
    id: int
    text: str
    status: str
    status_label: str
    reject_reason: str | None


class DiscussionDetailOut(DiscussionOut):
    voted: int
    mine: list[MyStatementOut]


class StatementOut(Schema):
    id: int
    text: str


class NextOut(Schema):
    statement: StatementOut | None
    voted: int
    statements: int
    remaining: int


class VoteIn(Schema):
    statement: int
    vote: int  # 1 agree, -1 disagree, 0 pass


class StatementIn(Schema):
    text: str


class ShareOut(Schema):
    statement: int
    text: str
    direction: str
    share: int
    share_rest: int | None


class GroupOut(Schema):
    id: int
    label: str
    size: int
    x: float
    y: float
    representative: list[ShareOut]


class YouOut(Schema):
    x: float
    y: float
    group: str | None
    votes: int


class MapOut(Schema):
    shown: bool
    message: str
    participants: int
    groups: list[GroupOut]
    consensus: list[ShareOut]
    consensus_disagree: list[ShareOut]
    you: YouOut | None
    votes_needed: int
    computed_at: str | None


def _out(request: HttpRequest, discussion: Discussion, **extra: Any) -> dict[str, Any]:
    return {
        "id": discussion.pk,
        "estate": discussion.estate.slug,
        "building": discussion.building.number if discussion.building else None,
        "question": discussion.question,
        "description": discussion.description,
        "status": discussion.status,
        "status_label": str(discussion.get_status_display()),
        "is_open": discussion.is_open,
        "closes_at": discussion.closes_at.isoformat() if discussion.closes_at else None,
        "statements": selectors.accepted_statements(discussion=discussion).count(),
        "may_vote": permissions.can(request.user, "vote", discussion),
        "may_submit": permissions.can(request.user, "submit", discussion),
        **extra,
    }


def _mine(statement: Statement) -> MyStatementOut:
    rejected = statement.status == Statement.Status.REJECTED
    return MyStatementOut(
        id=statement.pk,
        text=statement.text,
        status=statement.status,
        status_label=str(statement.get_status_display()),
        reject_reason=statement.reject_reason if rejected else None,
    )


def _discussion(request: HttpRequest, discussion_id: int) -> Discussion:
    return selectors.discussion_get_any(actor=request.user, discussion_id=discussion_id)


def _next(request: HttpRequest, discussion: Discussion) -> NextOut:
    statement = selectors.next_statement(discussion=discussion, user=request.user)
    progress = selectors.progress(discussion=discussion, user=request.user)
    return NextOut(
        statement=StatementOut(id=statement.pk, text=statement.text) if statement else None,
        voted=progress.voted,
        statements=progress.statements,
        remaining=progress.remaining,
    )


@router.get(
    "",
    response={200: list[DiscussionOut], **READ_ERRORS},
    summary="An estate's discussions (open ones first)",
)
def opinion_list(request: HttpRequest, filters: Query[DiscussionQuery]):
    estate = community_selectors.estate_get(slug=filters.estate)
    if not permissions.can(request.user, "view", Discussion(estate=estate, status="open")):
        raise Http404
    return [
        _out(request, d)
        for d in selectors.discussions_for_estate(actor=request.user, estate=estate)
        if d.status != Discussion.Status.DRAFT
    ]


@router.get(
    "/{discussion_id}",
    response={200: DiscussionDetailOut, **READ_ERRORS},
    summary="One discussion, with how many statements the caller voted on and their own",
)
def opinion_detail(request: HttpRequest, discussion_id: int):
    discussion = _discussion(request, discussion_id)
    progress = selectors.progress(discussion=discussion, user=request.user)
    mine = selectors.my_statements(discussion=discussion, user=request.user)
    return _out(request, discussion, voted=progress.voted, mine=[_mine(s) for s in mine])


@router.get(
    "/{discussion_id}/next",
    response={200: NextOut, **READ_ERRORS},
    summary="The next statement for the caller to vote on (null when none is left)",
)
def opinion_next(request: HttpRequest, discussion_id: int):
    return _next(request, _discussion(request, discussion_id))


@router.post(
    "/{discussion_id}/votes",
    response={200: NextOut, **WRITE_ERRORS},
    summary="Agree (1), disagree (-1) or pass (0) on a statement; answers the next one",
    description="A later vote on the same statement replaces the earlier.",
)
def opinion_vote(request: HttpRequest, discussion_id: int, payload: VoteIn):
    discussion = _discussion(request, discussion_id)
    statement = selectors.statement_get(discussion=discussion, statement_id=payload.statement)
    services.vote_cast(actor=request.user, statement=statement, vote=payload.vote)
    return _next(request, discussion)


@router.post(
    "/{discussion_id}/statements",
    response={201: MyStatementOut, **WRITE_ERRORS},
    summary="Write a statement (140 characters at most); shown once a moderator accepts it",
)
def opinion_statement_create(request: HttpRequest, discussion_id: int, payload: StatementIn):
    discussion = _discussion(request, discussion_id)
    statement = services.statement_submit(
        actor=request.user, discussion=discussion, text=payload.text
    )
    return Status(201, _mine(statement))


def _share(item: selectors.ShownStatement) -> ShareOut:
    return ShareOut(
        statement=item.id,
        text=item.text,
        direction=item.direction,
        share=item.share,
        share_rest=item.share_rest,
    )


@router.get(
    "/{discussion_id}/map",
    response={200: MapOut, **READ_ERRORS},
    summary="The opinion map: groups, consensus and where the caller stands",
    description=(
        "Nothing but a message until enough people have voted on enough statements. Groups "
        "are described by their size and statements; no participant is named. Shares are "
        "whole percentages: of the group voting that way against everyone else grouped."
    ),
)
def opinion_map(request: HttpRequest, discussion_id: int):
    discussion = _discussion(request, discussion_id)
    view = selectors.map_view(discussion=discussion, user=request.user)
    progress = selectors.progress(discussion=discussion, user=request.user)
    return MapOut(
        shown=view.shown,
        message=view.message,
        participants=view.participants,
        groups=[
            GroupOut(
                id=g.id,
                label=g.label,
                size=g.size,
                x=g.x,
                y=g.y,
                representative=[_share(item) for item in g.representative],
            )
            for g in view.groups
        ],
        consensus=[_share(item) for item in view.consensus],
        consensus_disagree=[_share(item) for item in view.consensus_disagree],
        you=YouOut(x=view.you.x, y=view.you.y, group=view.you.group, votes=view.you.votes)
        if view.you
        else None,
        votes_needed=progress.needed_for_map,
        computed_at=view.computed_at.isoformat() if view.computed_at else None,
    )
