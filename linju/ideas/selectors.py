"""Reads of ideas, comments and topics. Every list comes from a fixed number of queries,
however many ideas, supports or comments there are (a project with 500 comments is read 20 at
a time, with the same queries for each slice)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext

from linju.community.models import Building, Estate
from linju.community.selectors import public_name
from linju.core import permissions
from linju.ideas.models import Comment, CommentReport, Idea, IdeaPhoto, IdeaSupport, Topic
from linju.projects.models import Project

COMMENTS_PAGE = 20
MAX_ID = 2**63 - 1


def author_label(user: Any) -> str:
    """How an author is named on the pages: their display name's first character and stars
    (王**), as the directory names people to those who may not see the roster."""
    if user is None:
        return gettext("a former resident")
    return public_name(str(user))


def _valid_id(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


# --- Ideas ----------------------------------------------------------------------------------


def _with_counts(queryset: QuerySet[Idea], actor: Any) -> QuerySet[Idea]:
    mine = (
        IdeaSupport.objects.filter(idea=OuterRef("pk"), user_id=actor.pk)
        if getattr(actor, "is_authenticated", False)
        else IdeaSupport.objects.none()
    )
    return queryset.annotate(
        support_count=Count("supports", distinct=True),
        comment_count=Count("comments", distinct=True),
        supported=Exists(mine),
    )


def ideas_for_building(*, actor: Any, building: Building, status: str = "") -> list[Idea]:
    """The ideas of ``building`` the actor may see, with support and comment counts, whether
    the actor supports each, and their photos (two queries)."""
    ideas = permissions.visible(actor, Idea.objects.filter(building=building))
    if status:
        ideas = ideas.filter(status=status)
    found = list(
        _with_counts(ideas, actor)
        .select_related("author", "merged_into")
        .prefetch_related(Prefetch("photos", queryset=IdeaPhoto.objects.order_by("position")))
        .order_by("-created_at", "-pk")
    )
    for idea in found:
        idea.author_name = author_label(idea.author)  # type: ignore[attr-defined]
    return found


def idea_get(*, actor: Any, estate: Estate, idea_id: Any) -> Idea:
    """The idea if the actor may see it; missing and hidden give the same 404."""
    if _valid_id(idea_id) is None:
        raise Http404
    queryset = _with_counts(
        Idea.objects.filter(estate=estate).select_related(
            "estate", "building", "author", "merged_into", "project"
        ),
        actor,
    )
    idea = permissions.get_visible_or_404(actor, queryset, pk=idea_id)
    assert isinstance(idea, Idea)
    idea.author_name = author_label(idea.author)  # type: ignore[attr-defined]
    return idea


def idea_photos(*, idea: Idea) -> list[IdeaPhoto]:
    return list(IdeaPhoto.objects.filter(idea=idea).order_by("position", "pk"))


def idea_photo_get(*, idea: Idea, photo_id: Any) -> IdeaPhoto:
    if _valid_id(photo_id) is None:
        raise Http404
    photo = IdeaPhoto.objects.filter(idea=idea, pk=photo_id).first()
    if photo is None:
        raise Http404
    return photo


def merge_targets(*, actor: Any, idea: Idea) -> list[Idea]:
    """Other ideas of the same building ``idea`` could be merged into."""
    return list(
        permissions.visible(actor, Idea.objects.filter(building_id=idea.building_id))
        .filter(status__in=(Idea.Status.OPEN, Idea.Status.ADOPTED))
        .exclude(pk=idea.pk)
        .order_by("-created_at", "-pk")
    )


def topic_projects(*, idea: Idea) -> list[Project]:
    """Projects under way of the idea's building: where it could become a topic."""
    return list(
        Project.objects.filter(
            estate_id=idea.estate_id, building_id=idea.building_id, status=Project.Status.ACTIVE
        ).order_by("-created_at", "-pk")
    )


# --- Comments -------------------------------------------------------------------------------


@dataclass
class CommentPage:
    """A slice of comments, newest first, and the cursor for the next (older) slice."""

    comments: list[Comment]
    total: int
    next_before: int | None = None
    reported_by_me: set[int] = field(default_factory=set)


def _decorate(actor: Any, comments: list[Comment]) -> set[int]:
    for comment in comments:
        comment.author_name = author_label(comment.author)  # type: ignore[attr-defined]
    if not getattr(actor, "is_authenticated", False) or not comments:
        return set()
    return set(
        CommentReport.objects.filter(
            reporter=actor, comment_id__in=[c.pk for c in comments]
        ).values_list("comment_id", flat=True)
    )


def comment_page(
    *,
    actor: Any,
    idea: Idea | None = None,
    project: Project | None = None,
    before: Any = None,
    size: int = COMMENTS_PAGE,
) -> CommentPage:
    """Up to ``size`` comments on ``idea`` or ``project`` older than comment ``before``
    (newest first), with the total. Three queries whatever the number of comments."""
    where = Q(idea=idea) if idea is not None else Q(project=project)
    comments = permissions.visible(actor, Comment.objects.filter(where))
    total = comments.count()
    cursor_id = _valid_id(before)
    if cursor_id is not None:
        cursor = Comment.objects.filter(where, pk=cursor_id).values("created_at").first()
        if cursor is None:
            return CommentPage(comments=[], total=total)
        comments = comments.filter(
            Q(created_at__lt=cursor["created_at"])
            | Q(created_at=cursor["created_at"], pk__lt=cursor_id)
        )
    found = list(comments.select_related("author").order_by("-created_at", "-pk")[: size + 1])
    more = len(found) > size
    found = found[:size]
    return CommentPage(
        comments=found,
        total=total,
        next_before=found[-1].pk if more else None,
        reported_by_me=_decorate(actor, found),
    )


def idea_comments(*, actor: Any, idea: Idea) -> tuple[list[Comment], set[int]]:
    """Every comment on ``idea``, oldest first (a conversation), and those the actor reported."""
    comments = list(
        permissions.visible(actor, Comment.objects.filter(idea=idea))
        .select_related("author")
        .order_by("created_at", "pk")
    )
    return comments, _decorate(actor, comments)


def comment_get(*, actor: Any, estate: Estate, comment_id: Any) -> Comment:
    if _valid_id(comment_id) is None:
        raise Http404
    queryset = Comment.objects.filter(estate=estate).select_related(
        "estate", "idea", "project", "author"
    )
    comment = permissions.get_visible_or_404(actor, queryset, pk=comment_id)
    assert isinstance(comment, Comment)
    return comment


def moderation_queue(*, actor: Any, estate: Estate) -> list[Comment]:
    """Comments of ``estate`` with reports not yet looked at, that the actor moderates:
    flagged ones first, then the most reported, then the newest. Two queries."""
    open_reports = CommentReport.objects.filter(resolved_at__isnull=True)
    comments = (
        Comment.objects.filter(estate=estate, reports__resolved_at__isnull=True)
        .annotate(open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True)))
        .select_related("author", "idea", "project", "building")
        .prefetch_related(
            Prefetch(
                "reports",
                queryset=open_reports.select_related("reporter").order_by("created_at"),
                to_attr="open_report_list",
            )
        )
        .order_by("flagged_at", "-open_reports", "-created_at")
    )
    found: list[Comment] = [c for c in comments if permissions.can(actor, "moderate", c)]
    found.sort(key=lambda c: c.flagged_at is None)  # flagged first (stable: keeps the rest)
    for comment in found:
        # Moderators see who wrote it, as the roster shows a building's leader its residents.
        name = str(comment.author) if comment.author else author_label(None)
        comment.author_name = name  # type: ignore[attr-defined]
    return found


# --- Projects and topics --------------------------------------------------------------------


def project_get(*, actor: Any, estate: Estate, project_id: Any) -> Project:
    """A project of ``estate`` the actor may see; missing and forbidden give the same 404."""
    if _valid_id(project_id) is None:
        raise Http404
    project = (
        Project.objects.filter(estate=estate, pk=project_id)
        .select_related("estate", "building")
        .first()
    )
    if project is None or not permissions.can(actor, "view", project):
        raise Http404
    return project


def project_topics(*, project: Project) -> list[Topic]:
    return list(
        Topic.objects.filter(project=project).select_related("from_idea").order_by("position", "pk")
    )


def topic_get(*, project: Project, topic_id: Any) -> Topic:
    if _valid_id(topic_id) is None:
        raise Http404
    topic = Topic.objects.filter(project=project, pk=topic_id).select_related("project").first()
    if topic is None:
        raise Http404
    return topic


def topics_listed(project: Any) -> str | None:
    """Requirement ``topics_listed``: the project has at least one topic."""
    if Topic.objects.filter(project_id=project.pk).exists():
        return None
    return gettext("The project has no topics yet: add some, or turn residents' ideas into topics.")


def project_section(*, project: Any, actor: Any, showcase: bool) -> dict[str, Any] | None:
    """The project page's "Topics and comments" section: the topic list, the newest 20
    comments with "more" loaded on request, and the comment form. On the showcase, the topic
    list only (nothing personal). A constant number of queries."""
    topics = project_topics(project=project)
    if showcase:
        if not topics:
            return None
        return {
            "title": gettext("What residents asked for"),
            "template": "ideas/showcase_section.html",
            "context": {"topics": topics},
            "order": 20,
        }
    if not permissions.can(actor, "view", Comment(estate_id=project.estate_id, project=project)):
        return None
    page = comment_page(actor=actor, project=project)
    probe = Comment(estate_id=project.estate_id, building_id=project.building_id, project=project)
    return {
        "title": gettext("Topics and comments"),
        "template": "ideas/project_section.html",
        "context": {
            "topics": topics,
            "comment_page": page,
            "may_comment": permissions.can(actor, "create", probe),
            "may_manage_topics": permissions.can(actor, "manage", Topic(project=project)),
            "ideas_project": project,
        },
        "order": 20,
    }
