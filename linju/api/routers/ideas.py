"""Ideas, comments and topics for the mini-program: a building's ideas, one idea with its
photos, posting one (multipart, with up to six photos), supporting it; the comments of an idea
or a project (20 at a time, newest first, with a cursor) and posting and reporting them; a
project's topic list and adding to it. Thin over the ideas selectors and services.

Members of the estate read; nothing here is public. A caller without a token gets 401; a
signed-in outsider the same 404 as for a missing idea or project. A hidden comment is answered
with ``hidden: true`` and its reason, never its text. Authors are named as the pages name them
(王**).
"""

from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from linju.api.api import bearer
from linju.api.schemas import ErrorOut
from linju.community import selectors as community_selectors
from linju.community.models import Building, Estate
from linju.core import permissions
from linju.ideas import selectors, services
from linju.ideas.models import Comment, Idea, IdeaPhoto, Topic
from linju.projects.models import Project

router = Router(auth=bearer)
READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut}
MAX_ID = 2**63 - 1


class IdeaQuery(Schema):
    estate: str
    building: str
    status: str = ""


class IdeaItemOut(Schema):
    id: int
    estate: str
    building: str
    title: str
    body: str
    status: str
    status_label: str
    author: str
    created_at: str
    support_count: int
    supported: bool
    comment_count: int
    merged_into: int | None
    project: int | None
    photos: list[str]


class IdeaIn(Schema):
    estate: str
    building: str
    title: str
    body: str = ""


class CommentOut(Schema):
    id: int
    author: str
    created_at: str
    hidden: bool
    body: str | None
    hidden_reason: str | None
    flagged: bool


class CommentPageOut(Schema):
    total: int
    comments: list[CommentOut]
    next_before: int | None


class CommentIn(Schema):
    body: str


class ReportIn(Schema):
    reason: str = ""


class ReportOut(Schema):
    comment: int
    reported: bool


class CommentQuery(Schema):
    before: int | None = None


class TopicOut(Schema):
    id: int
    title: str
    position: int
    from_idea: int | None


class TopicIn(Schema):
    title: str


class SupportOut(Schema):
    idea: int
    supported: bool
    support_count: int


def _iso(moment: Any) -> str:
    return moment.isoformat()


def _estate(slug: str) -> Estate:
    return community_selectors.estate_get(slug=slug)


def _idea(request: HttpRequest, idea_id: int) -> Idea:
    found = (
        Estate.objects.filter(pk__in=Idea.objects.filter(pk=idea_id).values("estate_id")).first()
        if 0 < idea_id <= MAX_ID
        else None
    )
    if found is None:
        raise Http404
    return selectors.idea_get(actor=request.user, estate=found, idea_id=idea_id)


def _project(request: HttpRequest, project_id: int) -> Project:
    project = (
        Project.objects.filter(pk=project_id).select_related("estate").first()
        if 0 < project_id <= MAX_ID
        else None
    )
    if project is None:
        raise Http404
    return selectors.project_get(actor=request.user, estate=project.estate, project_id=project_id)


def _photo_urls(idea: Idea, photos: list[IdeaPhoto]) -> list[str]:
    return [reverse("idea_photo", args=[idea.estate.slug, idea.pk, p.pk, "web"]) for p in photos]


def _idea_out(idea: Idea, photos: list[IdeaPhoto]) -> IdeaItemOut:
    return IdeaItemOut(
        id=idea.pk,
        estate=idea.estate.slug,
        building=idea.building.number,
        title=idea.title,
        body=idea.body,
        status=idea.status,
        status_label=str(idea.get_status_display()),
        author=getattr(idea, "author_name", ""),
        created_at=_iso(idea.created_at),
        support_count=getattr(idea, "support_count", 0),
        supported=bool(getattr(idea, "supported", False)),
        comment_count=getattr(idea, "comment_count", 0),
        merged_into=idea.merged_into_id,
        project=idea.project_id,
        photos=_photo_urls(idea, photos),
    )


def _comment_out(comment: Comment) -> CommentOut:
    hidden = comment.is_hidden
    return CommentOut(
        id=comment.pk,
        author=getattr(comment, "author_name", ""),
        created_at=_iso(comment.created_at),
        hidden=hidden,
        body=None if hidden else comment.body,
        hidden_reason=comment.hidden_reason if hidden else None,
        flagged=comment.flagged_at is not None,
    )


def _page_out(page: selectors.CommentPage) -> CommentPageOut:
    return CommentPageOut(
        total=page.total,
        comments=[_comment_out(c) for c in page.comments],
        next_before=page.next_before,
    )


@router.get(
    "/ideas",
    response={200: list[IdeaItemOut], **READ_ERRORS},
    summary="A building's ideas, newest first, with support and comment counts",
)
def idea_list(request: HttpRequest, filters: Query[IdeaQuery]):
    estate = _estate(filters.estate)
    building = community_selectors.building_get(estate=estate, number=filters.building)
    if not permissions.can(request.user, "view", Idea(estate=estate, building=building)):
        raise Http404
    ideas = selectors.ideas_for_building(
        actor=request.user, building=building, status=filters.status
    )
    return [_idea_out(i, list(i.photos.all())) for i in ideas]


@router.get(
    "/ideas/{idea_id}",
    response={200: IdeaItemOut, **READ_ERRORS},
    summary="One idea with its photos",
)
def idea_detail(request: HttpRequest, idea_id: int):
    idea = _idea(request, idea_id)
    return _idea_out(idea, selectors.idea_photos(idea=idea))


@router.post(
    "/ideas",
    response={201: IdeaItemOut, **WRITE_ERRORS},
    summary="Post an idea for a building, with up to six photos (multipart)",
    description=(
        "Residents of the building, its group leader and committee staff. Send the fields as "
        "a multipart form, with the photos as `photos` (JPEG, PNG or WebP, each up to 15 MB): "
        "they are re-encoded and their location data removed."
    ),
)
def idea_create(
    request: HttpRequest,
    payload: Form[IdeaIn],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
):
    estate = _estate(payload.estate)
    building: Building = community_selectors.building_get(estate=estate, number=payload.building)
    if not permissions.can(request.user, "view", Idea(estate=estate, building=building)):
        raise Http404
    idea = services.idea_post(
        actor=request.user,
        estate=estate,
        building=building,
        title=payload.title,
        body=payload.body,
        photos=photos or [],
    )
    idea = selectors.idea_get(actor=request.user, estate=estate, idea_id=idea.pk)
    return Status(201, _idea_out(idea, selectors.idea_photos(idea=idea)))


def _support_out(request: HttpRequest, idea_id: int) -> SupportOut:
    idea = _idea(request, idea_id)
    return SupportOut(
        idea=idea.pk,
        supported=bool(getattr(idea, "supported", False)),
        support_count=getattr(idea, "support_count", 0),
    )


@router.post(
    "/ideas/{idea_id}/support",
    response={200: SupportOut, **WRITE_ERRORS},
    summary="Support an idea (once per person)",
)
def idea_support(request: HttpRequest, idea_id: int):
    services.idea_support(actor=request.user, idea=_idea(request, idea_id))
    return _support_out(request, idea_id)


@router.delete(
    "/ideas/{idea_id}/support",
    response={200: SupportOut, **WRITE_ERRORS},
    summary="Withdraw one's support of an idea",
)
def idea_unsupport(request: HttpRequest, idea_id: int):
    services.idea_unsupport(actor=request.user, idea=_idea(request, idea_id))
    return _support_out(request, idea_id)


@router.get(
    "/ideas/{idea_id}/comments",
    response={200: CommentPageOut, **READ_ERRORS},
    summary="An idea's comments, 20 at a time, newest first",
    description="Pass `before` (the `next_before` of the previous answer) for older ones.",
)
def idea_comments(request: HttpRequest, idea_id: int, filters: Query[CommentQuery]):
    idea = _idea(request, idea_id)
    return _page_out(selectors.comment_page(actor=request.user, idea=idea, before=filters.before))


@router.post(
    "/ideas/{idea_id}/comments",
    response={201: CommentOut, **WRITE_ERRORS},
    summary="Comment on an idea (up to 1000 characters)",
)
def idea_comment_create(request: HttpRequest, idea_id: int, payload: CommentIn):
    comment = services.comment_post(
        actor=request.user, idea=_idea(request, idea_id), body=payload.body
    )
    comment.author_name = selectors.author_label(request.user)  # type: ignore[attr-defined]
    return Status(201, _comment_out(comment))


@router.get(
    "/projects/{project_id}/comments",
    response={200: CommentPageOut, **READ_ERRORS},
    summary="A project's comments, 20 at a time, newest first",
    description="Pass `before` (the `next_before` of the previous answer) for older ones.",
)
def project_comments(request: HttpRequest, project_id: int, filters: Query[CommentQuery]):
    project = _project(request, project_id)
    if not permissions.can(
        request.user, "view", Comment(estate_id=project.estate_id, project=project)
    ):
        raise Http404
    return _page_out(
        selectors.comment_page(actor=request.user, project=project, before=filters.before)
    )


@router.post(
    "/projects/{project_id}/comments",
    response={201: CommentOut, **WRITE_ERRORS},
    summary="Comment on a project (up to 1000 characters)",
)
def project_comment_create(request: HttpRequest, project_id: int, payload: CommentIn):
    comment = services.comment_post(
        actor=request.user, project=_project(request, project_id), body=payload.body
    )
    comment.author_name = selectors.author_label(request.user)  # type: ignore[attr-defined]
    return Status(201, _comment_out(comment))


@router.post(
    "/comments/{comment_id}/report",
    response={201: ReportOut, **WRITE_ERRORS},
    summary="Report a comment to its moderators (once per person)",
    description=(
        "The comment stays visible; after three reports it is marked for the group leader, "
        "who hides it (with a reason residents read) or keeps it."
    ),
)
def comment_report(request: HttpRequest, comment_id: int, payload: ReportIn):
    found = (
        Comment.objects.filter(pk=comment_id).select_related("estate").first()
        if 0 < comment_id <= MAX_ID
        else None
    )
    if found is None:
        raise Http404
    comment = selectors.comment_get(actor=request.user, estate=found.estate, comment_id=comment_id)
    services.comment_report(actor=request.user, comment=comment, reason=payload.reason)
    return Status(201, ReportOut(comment=comment.pk, reported=True))


@router.get(
    "/projects/{project_id}/topics",
    response={200: list[TopicOut], **READ_ERRORS},
    summary="A project's topic list, in order",
)
def topic_list(request: HttpRequest, project_id: int):
    project = _project(request, project_id)
    return [
        TopicOut(id=t.pk, title=t.title, position=t.position, from_idea=t.from_idea_id)
        for t in selectors.project_topics(project=project)
    ]


@router.post(
    "/projects/{project_id}/topics",
    response={201: TopicOut, **WRITE_ERRORS},
    summary="Add a topic to a project (its building's group leader, committee staff)",
)
def topic_create(request: HttpRequest, project_id: int, payload: TopicIn):
    project = _project(request, project_id)
    topic: Topic = services.topic_add(actor=request.user, project=project, title=payload.title)
    out = TopicOut(
        id=topic.pk, title=topic.title, position=topic.position, from_idea=topic.from_idea_id
    )
    return Status(201, out)
