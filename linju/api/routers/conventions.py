"""Conventions (公约) for the mini-program: an estate's conventions, one convention with its
clauses and versions, the comments of a clause, commenting, "I have read it", and the
differences between two versions. Thin over the conventions selectors and services.

Members of the estate follow its conventions; anyone reads an adopted one when the estate's
board is public. A caller without a token gets 401 where the public may not read; a signed-in
outsider the same 404 as for a missing convention. Hidden comments carry their reason, not
their text (except for those who moderate them).
"""

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.errors import AuthenticationError

from linju.api.api import bearer, optional_bearer
from linju.api.schemas import ErrorOut
from linju.community import selectors as community_selectors
from linju.community.models import Building, Estate
from linju.conventions import selectors, services
from linju.conventions.models import Convention
from linju.core import permissions

router = Router(auth=optional_bearer)
READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut}
MAX_ID = 2**63 - 1


class ConventionQuery(Schema):
    estate: str
    building: str = ""


class ConventionItemOut(Schema):
    id: int
    estate: str
    building: str | None
    kind: str
    kind_label: str
    title: str
    status: str
    status_label: str
    adopted_at: str | None
    current_version: int | None


class ClauseOut(Schema):
    id: int
    position: int
    text: str
    comment_count: int


class VersionOut(Schema):
    number: int
    note: str
    created_at: str
    clauses: list[str]


class ConventionOut(ConventionItemOut):
    clauses: list[ClauseOut]
    adopted_clauses: list[str] | None
    versions: list[VersionOut]
    decision: int | None
    read_count: int
    read_by_me: bool
    may_comment: bool
    may_mark_read: bool
    readers: list[dict[str, Any]] | None


class CommentOut(Schema):
    id: int
    author: str
    body: str
    created_at: str
    hidden: bool
    hidden_reason: str


class CommentIn(Schema):
    body: str


class ReadOut(Schema):
    version: int
    read_at: str
    new: bool
    read_count: int


class DiffRowOut(Schema):
    kind: str
    old: int | None
    new: int | None
    html: str


class DiffQuery(Schema):
    a: int
    b: int


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment else None


def _readable(request: HttpRequest, estate: Estate) -> Estate:
    if not permissions.can(request.user, "view", estate, model="board"):
        if not request.user.is_authenticated:
            raise AuthenticationError
        raise Http404
    return estate


def _convention(request: HttpRequest, convention_id: int) -> Convention:
    """The convention if the caller may see it, synced with its vote; 401 without a token
    where the public may not read it, else the same 404 as a missing one."""
    estate = (
        Estate.objects.filter(conventions__pk=convention_id).first()
        if 0 < convention_id <= MAX_ID
        else None
    )
    if estate is None:
        raise Http404
    try:
        convention = selectors.convention_get(
            actor=request.user, estate=estate, convention_id=convention_id
        )
    except Http404:
        if not request.user.is_authenticated:
            raise AuthenticationError from None
        raise
    if convention.status == Convention.Status.VOTING:
        services.convention_sync_with_decision(convention=convention, actor=request.user)
        convention = selectors.convention_get(
            actor=request.user, estate=estate, convention_id=convention_id
        )
    return convention


def _item(c: Convention) -> dict[str, Any]:
    return {
        "id": c.pk,
        "estate": c.estate.slug,
        "building": c.building.number if c.building else None,
        "kind": c.kind,
        "kind_label": c.get_kind_display(),
        "title": c.title,
        "status": c.status,
        "status_label": c.get_status_display(),
        "adopted_at": _iso(c.adopted_at),
        "current_version": c.current_version.number if c.current_version else None,
    }


@router.get(
    "",
    response={200: list[ConventionItemOut], **READ_ERRORS},
    summary="An estate's conventions (with `building`: that building's and the estate's)",
)
def convention_list(request: HttpRequest, filters: Query[ConventionQuery]):
    estate = _readable(request, community_selectors.estate_get(slug=filters.estate))
    building = None
    if filters.building:
        building = Building.objects.filter(estate=estate, number=filters.building).first()
        if building is None:
            raise Http404
    conventions = selectors.convention_list(actor=request.user, estate=estate, building=building)
    return [ConventionItemOut(**_item(c)) for c in conventions]


@router.get(
    "/{convention_id}",
    response={200: ConventionOut, **READ_ERRORS},
    summary="A convention: its clauses (with comment counts), versions and read marks",
    description=(
        "`adopted_clauses` is the adopted text (null until adopted); `clauses` the working "
        "draft. `readers` (names and flats, never phone numbers) only for the building's "
        "leader and staff; everyone gets `read_count`."
    ),
)
def convention_detail(request: HttpRequest, convention_id: int):
    convention = _convention(request, convention_id)
    user = request.user
    adopted = convention.status == Convention.Status.ADOPTED
    readers = None
    if adopted and permissions.can(user, "draft", convention):
        readers = [
            {"name": r.name, "flats": r.flats, "read_at": r.read_at.isoformat()}
            for r in selectors.readers(convention=convention)
        ]
    return ConventionOut(
        **_item(convention),
        clauses=[
            ClauseOut(id=c.pk, position=c.position, text=c.text, comment_count=c.comment_count)  # type: ignore[attr-defined]
            for c in selectors.clauses(convention=convention)
        ],
        adopted_clauses=list(convention.current_version.clauses)
        if adopted and convention.current_version
        else None,
        versions=[
            VersionOut(
                number=v.number,
                note=v.note,
                created_at=v.created_at.isoformat(),
                clauses=list(v.clauses),
            )
            for v in selectors.versions(convention=convention)
        ],
        decision=convention.decision_id,
        read_count=selectors.read_count(convention=convention),
        read_by_me=selectors.convention_accepted(user=user, convention=convention),
        may_comment=convention.status == Convention.Status.DRAFTING
        and permissions.can(user, "comment", convention),
        may_mark_read=adopted and permissions.can(user, "mark_read", convention),
        readers=readers,
    )


def _comments(request: HttpRequest, convention: Convention, clause: Any) -> list[CommentOut]:
    moderator = permissions.can(request.user, "draft", convention)
    return [
        CommentOut(
            id=c.pk,
            author=c.author_name,  # type: ignore[attr-defined]
            body=c.body if (c.hidden_at is None or moderator) else "",
            created_at=c.created_at.isoformat(),
            hidden=c.hidden_at is not None,
            hidden_reason=c.hidden_reason,
        )
        for c in selectors.clause_comments(clause=clause)
    ]


@router.get(
    "/{convention_id}/clauses/{clause_id}/comments",
    response={200: list[CommentOut], **READ_ERRORS},
    summary="The comments on a clause, oldest first",
)
def clause_comment_list(request: HttpRequest, convention_id: int, clause_id: int):
    convention = _convention(request, convention_id)
    clause = selectors.clause_get(convention=convention, clause_id=clause_id)
    return _comments(request, convention, clause)


@router.post(
    "/{convention_id}/clauses/{clause_id}/comments",
    auth=bearer,
    response={201: list[CommentOut], **WRITE_ERRORS},
    summary="Comment on a clause of a draft (residents it concerns)",
    description="Answers with the clause's comments, the new one last.",
)
def clause_comment_create(
    request: HttpRequest, convention_id: int, clause_id: int, payload: CommentIn
):
    convention = _convention(request, convention_id)
    clause = selectors.clause_get(convention=convention, clause_id=clause_id)
    services.clause_comment_post(actor=request.user, clause=clause, body=payload.body)
    return Status(201, _comments(request, convention, clause))


@router.post(
    "/{convention_id}/read",
    auth=bearer,
    response={200: ReadOut, **WRITE_ERRORS},
    summary="I have read it: mark the adopted version as read (once per version)",
)
def convention_mark_read(request: HttpRequest, convention_id: int):
    convention = _convention(request, convention_id)
    read, new = services.convention_mark_read(actor=request.user, convention=convention)
    return ReadOut(
        version=read.version.number,
        read_at=read.read_at.isoformat(),
        new=new,
        read_count=selectors.read_count(convention=convention),
    )


@router.get(
    "/{convention_id}/diff",
    response={200: list[DiffRowOut], **READ_ERRORS},
    summary="How version `b` differs from version `a`, clause by clause",
    description=(
        "`kind` is same, changed, added or removed; `html` is the clause's text, escaped, with "
        "insertions in `<ins>` and deletions in `<del>` (character by character)."
    ),
)
def convention_diff(request: HttpRequest, convention_id: int, query: Query[DiffQuery]):
    convention = _convention(request, convention_id)
    a = selectors.version_get(convention=convention, number=query.a)
    b = selectors.version_get(convention=convention, number=query.b)
    return [
        DiffRowOut(kind=r.kind, old=r.old, new=r.new, html=str(r.html))
        for r in selectors.version_diff(a, b)
    ]
