"""Writes for ideas, support, comments, their moderation and a project's topic list.

Each service checks permission, locks what racing could break, validates, writes and audits
in one transaction: a refused or invalid call writes nothing (photos included: a bad photo
refuses the whole idea).

Moderation, as decided here:

- Reporting a comment never hides it. After ``FLAG_AFTER_REPORTS`` (3) different people
  have reported it, it is *flagged*: it goes to the top of the moderators' queue, marked, and
  stays visible until a moderator (the group leader of its building, or committee staff)
  looks at it. Three neighbours who disagree with a comment are not a reason to silence it.
- Hiding needs a reason; the page then shows "hidden by the group leader: <reason>" in
  place of the text, which is kept (and can be shown again) but never rendered.
- Hiding, showing again or keeping a comment resolves its open reports.

Supports are one per person and idea. Merging a duplicate moves its supporters, and its
author, to the idea it repeats, each person counted once; the duplicate keeps no support.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.community.models import Building, Estate
from linju.core import audit, permissions
from linju.core.images import photo_store
from linju.ideas.models import (
    COMMENT_MAX,
    FLAG_AFTER_REPORTS,
    IDEA_BODY_MAX,
    IDEA_TITLE_MAX,
    MAX_PHOTOS,
    REASON_MAX,
    TOPIC_TITLE_MAX,
    Comment,
    CommentReport,
    Idea,
    IdeaPhoto,
    IdeaSupport,
    Topic,
)
from linju.projects.models import Project


def _text(value: Any) -> str:
    return str(value or "").strip()


def _refuse(message: str, field: str | None = None, code: str = "invalid") -> ValidationError:
    if field:
        return ValidationError({field: [ValidationError(message, code=code)]})
    return ValidationError(message, code=code)


def _check_text(value: Any, *, field: str, max_length: int, required_message: str) -> str:
    text = _text(value)
    if not text:
        raise _refuse(required_message, field=field, code="required")
    if len(text) > max_length:
        raise _refuse(
            _("Keep it to %(n)s characters or fewer.") % {"n": max_length},
            field=field,
            code="too_long",
        )
    return text


def _locked_idea(idea: Idea) -> Idea:
    return Idea.objects.select_for_update(of=("self",)).select_related("estate").get(pk=idea.pk)


def _locked_comment(comment: Comment) -> Comment:
    return Comment.objects.select_for_update(of=("self",)).get(pk=comment.pk)


# --- Ideas ----------------------------------------------------------------------------------


@transaction.atomic
def idea_post(
    *,
    actor: Any,
    estate: Estate,
    building: Building,
    title: str,
    body: str = "",
    photos: Sequence[Any] = (),
) -> Idea:
    """A new open idea for ``building`` with up to six photos (each cleaned: re-encoded, no
    location data). Residents of the building, its group leader and committee staff post."""
    idea = Idea(estate=estate, building=building)
    permissions.require(actor, "create", idea)
    if building.estate_id != estate.pk:
        raise _refuse(_("Choose a building of this estate."), field="building")
    errors: dict[str, list[ValidationError]] = {}
    try:
        idea.title = _check_text(
            title,
            field="title",
            max_length=IDEA_TITLE_MAX,
            required_message=_("Say in a few words what your idea is."),
        )
    except ValidationError as exc:
        errors.update(exc.error_dict)
    idea.body = _text(body)
    if len(idea.body) > IDEA_BODY_MAX:
        errors["body"] = [
            ValidationError(
                _("Keep it to %(n)s characters or fewer.") % {"n": IDEA_BODY_MAX},
                code="too_long",
            )
        ]
    photos = [p for p in photos if p]
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = [
            ValidationError(_("Add at most %(n)s photos.") % {"n": MAX_PHOTOS}, code="too_many")
        ]
    if errors:
        raise ValidationError(errors)
    idea.author = actor
    idea.save()
    for position, upload in enumerate(photos):
        try:
            photo_store(IdeaPhoto(idea=idea, position=position, uploaded_by=actor), upload)
        except ValidationError as exc:
            raise ValidationError({"photos": exc.messages}) from exc
    audit.record(actor=actor, action="idea.post", target=idea, changes={"photos": [0, len(photos)]})
    return idea


@transaction.atomic
def idea_support(*, actor: Any, idea: Idea) -> IdeaSupport:
    """``actor`` supports ``idea`` (open or adopted; once per person; not one's own)."""
    permissions.require(actor, "support", idea)
    idea = _locked_idea(idea)
    if idea.status not in (Idea.Status.OPEN, Idea.Status.ADOPTED):
        raise _refuse(_("This idea no longer takes support."))
    if idea.author_id == actor.pk:
        raise _refuse(_("Your own idea counts you already."))
    if IdeaSupport.objects.filter(idea=idea, user=actor).exists():
        raise _refuse(_("You support this idea already."), code="duplicate")
    try:
        with transaction.atomic():
            support = IdeaSupport.objects.create(idea=idea, user=actor)
    except IntegrityError as exc:  # pragma: no cover - the lock above serialises supports
        raise _refuse(_("You support this idea already."), code="duplicate") from exc
    audit.record(actor=actor, action="idea.support", target=idea)
    return support


@transaction.atomic
def idea_unsupport(*, actor: Any, idea: Idea) -> None:
    """``actor`` withdraws their support of ``idea``."""
    permissions.require(actor, "support", idea)
    idea = _locked_idea(idea)
    deleted, _rows = IdeaSupport.objects.filter(idea=idea, user=actor).delete()
    if not deleted:
        raise _refuse(_("You do not support this idea."))
    audit.record(actor=actor, action="idea.unsupport", target=idea)


@transaction.atomic
def idea_merge(*, actor: Any, idea: Idea, into: Idea) -> Idea:
    """Mark ``idea`` a duplicate of ``into`` (same building, neither merged already). Its
    supporters and its author become supporters of ``into``, each person once (nobody who
    already supports ``into``, nor its author, is counted twice); ``idea`` keeps none."""
    permissions.require(actor, "manage", idea)
    permissions.require(actor, "manage", into)
    if idea.pk == into.pk:
        raise _refuse(_("An idea cannot be merged into itself."), field="into")
    # Lock both in a fixed order, so two merges the other way round cannot deadlock.
    locked = {
        i.pk: i
        for i in Idea.objects.select_for_update(of=("self",))
        .select_related("estate")
        .filter(pk__in=[idea.pk, into.pk])
        .order_by("pk")
    }
    idea, into = locked[idea.pk], locked[into.pk]
    if idea.building_id != into.building_id:
        raise _refuse(_("Merge ideas of the same building only."), field="into")
    if idea.status == Idea.Status.MERGED:
        raise _refuse(_("This idea is merged already."))
    if into.status in (Idea.Status.MERGED, Idea.Status.HIDDEN):
        raise _refuse(_("Merge into an idea that is still shown."), field="into")
    already = set(IdeaSupport.objects.filter(idea=into).values_list("user_id", flat=True))
    carried = set(IdeaSupport.objects.filter(idea=idea).values_list("user_id", flat=True))
    if idea.author_id is not None:
        carried.add(idea.author_id)
    carried -= already | {into.author_id}
    IdeaSupport.objects.bulk_create([IdeaSupport(idea=into, user_id=uid) for uid in carried])
    IdeaSupport.objects.filter(idea=idea).delete()
    idea.status = Idea.Status.MERGED
    idea.merged_into = into
    idea.save(update_fields=["status", "merged_into"])
    audit.record(
        actor=actor,
        action="idea.merge",
        target=idea,
        changes={"merged_into": [None, into.pk], "supports_carried": [0, len(carried)]},
    )
    return idea


@transaction.atomic
def idea_to_topic(*, actor: Any, idea: Idea, project: Project, title: str = "") -> Topic:
    """Add ``idea`` to the topic list of ``project`` (a project of the same building, under
    way) and mark the idea adopted."""
    permissions.require(actor, "manage", idea)
    idea = _locked_idea(idea)
    if project.building_id != idea.building_id or project.estate_id != idea.estate_id:
        raise _refuse(_("Choose a project of the idea's building."), field="project")
    if project.status != Project.Status.ACTIVE:
        raise _refuse(_("This project is no longer under way."), field="project")
    if idea.status not in (Idea.Status.OPEN, Idea.Status.ADOPTED):
        raise _refuse(_("Only an open idea can become a topic."))
    if Topic.objects.filter(project=project, from_idea=idea).exists():
        raise _refuse(_("This idea is on the project's topic list already."), field="project")
    topic = _topic_create(actor=actor, project=project, title=title or idea.title, idea=idea)
    idea.status = Idea.Status.ADOPTED
    idea.project = project
    idea.save(update_fields=["status", "project"])
    audit.record(
        actor=actor,
        action="idea.to_topic",
        target=idea,
        changes={"status": [Idea.Status.OPEN, Idea.Status.ADOPTED], "project": [None, project.pk]},
    )
    return topic


# --- Topics ---------------------------------------------------------------------------------


def _locked_project(project: Project) -> Project:
    return Project.objects.select_for_update(of=("self",)).get(pk=project.pk)


def _topic_create(*, actor: Any, project: Project, title: str, idea: Idea | None) -> Topic:
    topic = Topic(project=project, from_idea=idea, created_by=actor)
    permissions.require(actor, "manage", topic)
    project = _locked_project(project)
    topic.title = _check_text(
        title,
        field="title",
        max_length=TOPIC_TITLE_MAX,
        required_message=_("Give the topic a title."),
    )
    last = Topic.objects.filter(project=project).aggregate(last=Max("position"))["last"]
    topic.position = 0 if last is None else last + 1
    topic.project = project
    topic.save()
    audit.record(actor=actor, action="topic.add", target=topic)
    return topic


@transaction.atomic
def topic_add(*, actor: Any, project: Project, title: str) -> Topic:
    """A new topic at the end of ``project``'s list."""
    return _topic_create(actor=actor, project=project, title=title, idea=None)


@transaction.atomic
def topic_remove(*, actor: Any, topic: Topic) -> None:
    """Take ``topic`` off its project's list; an idea it came from is open again."""
    permissions.require(actor, "manage", topic)
    project = _locked_project(topic.project)
    topic = Topic.objects.get(pk=topic.pk, project=project)
    idea_id = topic.from_idea_id
    audit.record(
        actor=actor,
        action="topic.remove",
        target=topic,
        changes={"title": [topic.title, None]},
    )
    topic.delete()
    if idea_id is not None and not Topic.objects.filter(from_idea_id=idea_id).exists():
        Idea.objects.filter(pk=idea_id, status=Idea.Status.ADOPTED).update(
            status=Idea.Status.OPEN, project=None
        )
    _renumber(project)


def _renumber(project: Project, order: Sequence[int] | None = None) -> list[Topic]:
    topics = list(Topic.objects.filter(project=project).order_by("position", "pk"))
    if order is not None:
        by_pk = {t.pk: t for t in topics}
        topics = [by_pk[pk] for pk in order]
    for position, topic in enumerate(topics):
        if topic.position != position:
            topic.position = position
            topic.save(update_fields=["position"])
    return topics


@transaction.atomic
def topic_reorder(*, actor: Any, project: Project, order: Sequence[int]) -> list[Topic]:
    """Put ``project``'s topics in ``order`` (their ids, each exactly once)."""
    permissions.require(actor, "manage", Topic(project=project))
    project = _locked_project(project)
    current = set(Topic.objects.filter(project=project).values_list("pk", flat=True))
    try:
        wanted = [int(pk) for pk in order]
    except (TypeError, ValueError) as exc:
        raise _refuse(_("List every topic of the project once.")) from exc
    if len(wanted) != len(set(wanted)) or set(wanted) != current:
        raise _refuse(_("List every topic of the project once."))
    ordered = Topic.objects.filter(project=project).order_by("position", "pk")
    before = list(ordered.values_list("pk", flat=True))
    topics = _renumber(project, wanted)
    if before != wanted:
        audit.record(
            actor=actor,
            action="topic.reorder",
            target=project,
            changes={"order": [before, wanted]},
        )
    return topics


# --- Comments -------------------------------------------------------------------------------


@transaction.atomic
def comment_post(
    *, actor: Any, body: str, idea: Idea | None = None, project: Project | None = None
) -> Comment:
    """A comment on ``idea`` or on ``project`` (exactly one) by someone who may see it."""
    if (idea is None) == (project is None):
        raise ValueError("comment on an idea or on a project, exactly one")
    if idea is not None:
        comment = Comment(
            estate_id=idea.estate_id, building_id=idea.building_id, idea=idea, author=actor
        )
        permissions.require(actor, "view", idea)
        if idea.status == Idea.Status.MERGED:
            raise _refuse(_("This idea was merged: comment on the idea it repeats."))
    else:
        assert project is not None
        comment = Comment(
            estate_id=project.estate_id,
            building_id=project.building_id,
            project=project,
            author=actor,
        )
    permissions.require(actor, "create", comment)
    comment.body = _check_text(
        body, field="body", max_length=COMMENT_MAX, required_message=_("Write your comment.")
    )
    comment.save()
    audit.record(actor=actor, action="comment.post", target=comment)
    return comment


@transaction.atomic
def comment_report(*, actor: Any, comment: Comment, reason: str = "") -> CommentReport:
    """``actor`` asks the moderators to look at ``comment`` (once). The third person to report
    it flags it; it stays visible until a moderator decides."""
    permissions.require(actor, "report", comment)
    comment = _locked_comment(comment)
    reason = _text(reason)
    if len(reason) > REASON_MAX:
        raise _refuse(
            _("Keep it to %(n)s characters or fewer.") % {"n": REASON_MAX}, field="reason"
        )
    if comment.is_hidden:
        raise _refuse(_("This comment is hidden already."))
    if CommentReport.objects.filter(comment=comment, reporter=actor).exists():
        raise _refuse(_("You have reported this comment already."), code="duplicate")
    report = CommentReport.objects.create(comment=comment, reporter=actor, reason=reason)
    open_reports = CommentReport.objects.filter(comment=comment, resolved_at__isnull=True).count()
    if comment.flagged_at is None and open_reports >= FLAG_AFTER_REPORTS:
        comment.flagged_at = timezone.now()
        comment.save(update_fields=["flagged_at"])
    audit.record(actor=actor, action="comment.report", target=comment)
    return report


def _resolve_reports(comment: Comment) -> int:
    return CommentReport.objects.filter(comment=comment, resolved_at__isnull=True).update(
        resolved_at=timezone.now()
    )


@transaction.atomic
def comment_hide(*, actor: Any, comment: Comment, reason: str) -> Comment:
    """Hide ``comment``, saying why (required): pages show the reason instead of the text."""
    permissions.require(actor, "moderate", comment)
    comment = _locked_comment(comment)
    reason = _check_text(
        reason,
        field="reason",
        max_length=REASON_MAX,
        required_message=_("Say why the comment is hidden: residents will read it."),
    )
    if comment.is_hidden:
        raise _refuse(_("This comment is hidden already."))
    comment.hidden_at = timezone.now()
    comment.hidden_by = actor
    comment.hidden_reason = reason
    leads = comment.building_id in permissions.actor_for(actor).leader_buildings
    comment.hidden_as = "leader" if leads else "staff"
    comment.flagged_at = None
    comment.save(
        update_fields=["hidden_at", "hidden_by", "hidden_reason", "hidden_as", "flagged_at"]
    )
    _resolve_reports(comment)
    audit.record(
        actor=actor, action="comment.hide", target=comment, changes={"reason": [None, reason]}
    )
    return comment


@transaction.atomic
def comment_unhide(*, actor: Any, comment: Comment) -> Comment:
    """Show a hidden comment again."""
    permissions.require(actor, "moderate", comment)
    comment = _locked_comment(comment)
    if not comment.is_hidden:
        raise _refuse(_("This comment is not hidden."))
    old_reason = comment.hidden_reason
    comment.hidden_at = None
    comment.hidden_by = None
    comment.hidden_reason = ""
    comment.hidden_as = ""
    comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "hidden_as"])
    _resolve_reports(comment)
    audit.record(
        actor=actor,
        action="comment.unhide",
        target=comment,
        changes={"reason": [old_reason, None]},
    )
    return comment


@transaction.atomic
def comment_keep(*, actor: Any, comment: Comment) -> Comment:
    """A moderator looked at a reported comment and keeps it: its reports are resolved and
    its flag removed."""
    permissions.require(actor, "moderate", comment)
    comment = _locked_comment(comment)
    resolved = _resolve_reports(comment)
    if not resolved and comment.flagged_at is None:
        raise _refuse(_("Nobody has reported this comment."))
    comment.flagged_at = None
    comment.save(update_fields=["flagged_at"])
    audit.record(
        actor=actor, action="comment.keep", target=comment, changes={"reports": [resolved, 0]}
    )
    return comment
