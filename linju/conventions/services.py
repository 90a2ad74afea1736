"""Writes for conventions: drafting clause by clause, comments on clauses, numbered versions,
the adoption vote, publication and read marks.

Each service checks permission, locks the convention row, validates, writes and audits in one
transaction: a refused or invalid call writes nothing. The clauses can change only while the
convention is being drafted; the text put to the vote is frozen as a version, and the version
adopted is the one residents mark as read.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.community.models import Building, Estate
from linju.conventions.models import (
    CLAUSE_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    MAX_CLAUSES,
    Clause,
    ClauseComment,
    ClauseCommentReport,
    Convention,
    ConventionRead,
    ConventionVersion,
)

# Re-exported for the shared spaces, which require a space's rules to be accepted.
from linju.conventions.selectors import convention_accepted as convention_accepted
from linju.core import audit, permissions

TITLE_MAX = 120
NOTE_MAX = 300
REASON_MAX = 200
NOTICE_DAYS = 30  # an adopted convention stays on the board for a month


# --- Helpers ---------------------------------------------------------------------------------


def _refuse(message: str, field: str | None = None, code: str = "invalid") -> ValidationError:
    if field:
        return ValidationError({field: [ValidationError(message, code=code)]})
    return ValidationError(message, code=code)


def _locked(convention: Convention) -> Convention:
    # of=("self",): lock the convention only, not the estate row it is joined with.
    return (
        Convention.objects.select_for_update(of=("self",))
        .select_related("estate", "building")
        .get(pk=convention.pk)
    )


def _text(value: Any, *, field: str, limit: int, required: str) -> str:
    """Text as stored: trimmed, line breaks kept, no NUL; ValidationError naming ``field``."""
    text = str(value or "").replace("\r\n", "\n").strip()
    if "\x00" in text:
        raise _refuse(_("The text holds a character that is not allowed."), field=field)
    if not text:
        raise _refuse(required, field=field, code="required")
    if len(text) > limit:
        raise _refuse(
            _("Keep it to %(n)s characters or fewer.") % {"n": limit}, field=field, code="long"
        )
    return text


def _one_line(value: Any, *, field: str, limit: int, required: str) -> str:
    return " ".join(_text(value, field=field, limit=limit, required=required).split())


def _require_drafting(convention: Convention) -> None:
    if convention.status != Convention.Status.DRAFTING:
        raise _refuse(_("The clauses can be changed only while the convention is being drafted."))


def _clauses(convention: Convention) -> list[Clause]:
    return list(Clause.objects.filter(convention=convention).order_by("position", "pk"))


def _renumber(clauses: Sequence[Clause]) -> None:
    changed = []
    for index, clause in enumerate(clauses, start=1):
        if clause.position != index:
            clause.position = index
            changed.append(clause)
    if changed:
        Clause.objects.bulk_update(changed, ["position"])


def _clause_locked(clause: Clause) -> tuple[Convention, Clause]:
    convention = _locked(clause.convention)
    try:
        current = Clause.objects.get(pk=clause.pk, convention=convention)
    except Clause.DoesNotExist:
        raise _refuse(_("This clause has been removed.")) from None
    return convention, current


# --- Conventions -----------------------------------------------------------------------------


@transaction.atomic
def convention_create(
    *,
    actor: Any,
    estate: Estate,
    title: str,
    building: Building | None = None,
    kind: str = Convention.Kind.CIVILITY,
    project: Any = None,
    clauses: Sequence[str] = (),
) -> Convention:
    """Start drafting a convention of ``building`` (or of the whole estate), optionally with
    its first clauses."""
    convention = Convention(estate=estate, building=building, kind=kind, project=project)
    permissions.require(actor, "create", convention)
    errors: dict[str, list[str]] = {}
    try:
        convention.title = _one_line(
            title, field="title", limit=TITLE_MAX, required=_("Give the convention a title.")
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if kind not in Convention.Kind.values:
        errors.setdefault("kind", []).append(_("Choose what kind of convention this is."))
    if building is not None and building.estate_id != estate.pk:
        errors.setdefault("building", []).append(_("Choose a building of this estate."))
    if project is not None and (
        project.estate_id != estate.pk
        or (building is not None and project.building_id not in (None, building.pk))
    ):
        errors.setdefault("project", []).append(_("Choose a project of this estate and building."))
    texts: list[str] = []
    for raw in clauses:
        if not str(raw or "").strip():
            continue
        try:
            texts.append(
                _text(
                    raw, field="clauses", limit=CLAUSE_MAX_LENGTH, required=_("Write the clause.")
                )
            )
        except ValidationError as exc:
            errors.setdefault("clauses", []).extend(exc.message_dict["clauses"])
    if len(texts) > MAX_CLAUSES:
        errors.setdefault("clauses", []).append(
            _("A convention has at most %(n)s clauses.") % {"n": MAX_CLAUSES}
        )
    if errors:
        raise ValidationError(errors)
    convention.created_by = actor if getattr(actor, "is_authenticated", False) else None
    convention.save()
    Clause.objects.bulk_create(
        Clause(estate=estate, convention=convention, position=i, text=text)
        for i, text in enumerate(texts, start=1)
    )
    audit.record(actor=actor, action="convention.create", target=convention)
    return convention


@transaction.atomic
def convention_update(*, actor: Any, convention: Convention, title: str) -> Convention:
    """Rename a convention while it is being drafted."""
    permissions.require(actor, "draft", convention)
    convention = _locked(convention)
    _require_drafting(convention)
    title = _one_line(
        title, field="title", limit=TITLE_MAX, required=_("Give the convention a title.")
    )
    diff = audit.changes(convention, {"title": title})
    if diff:
        convention.title = title
        convention.save(update_fields=["title"])
        audit.record(actor=actor, action="convention.update", target=convention, changes=diff)
    return convention


@transaction.atomic
def convention_withdraw(*, actor: Any, convention: Convention, reason: str) -> Convention:
    """Withdraw a convention (a draft abandoned, or an adopted one replaced), with a reason
    everyone can read. One being voted on is withdrawn by cancelling its vote first."""
    permissions.require(actor, "draft", convention)
    convention = _locked(convention)
    reason = _one_line(
        reason, field="reason", limit=NOTE_MAX, required=_("Say why it is withdrawn.")
    )
    if convention.status not in (Convention.Status.DRAFTING, Convention.Status.ADOPTED):
        raise _refuse(
            _("A convention being voted on is withdrawn by cancelling its vote first.")
            if convention.status == Convention.Status.VOTING
            else _("This convention is already withdrawn.")
        )
    old = convention.status
    convention.status = Convention.Status.WITHDRAWN
    convention.withdraw_reason = reason
    convention.save(update_fields=["status", "withdraw_reason"])
    audit.record(
        actor=actor,
        action="convention.withdraw",
        target=convention,
        changes={"status": [old, convention.status], "reason": [None, reason]},
    )
    return convention


# --- Clauses ---------------------------------------------------------------------------------


@transaction.atomic
def clause_add(
    *, actor: Any, convention: Convention, text: str, position: int | None = None
) -> Clause:
    """Add a clause at the end of the draft (or at ``position``, 1-based, moving the others
    down)."""
    permissions.require(actor, "draft", convention)
    convention = _locked(convention)
    _require_drafting(convention)
    text = _text(text, field="text", limit=CLAUSE_MAX_LENGTH, required=_("Write the clause."))
    clauses = _clauses(convention)
    if len(clauses) >= MAX_CLAUSES:
        raise _refuse(_("A convention has at most %(n)s clauses.") % {"n": MAX_CLAUSES})
    at = len(clauses) + 1 if position is None else max(1, min(int(position), len(clauses) + 1))
    Clause.objects.filter(convention=convention, position__gte=at).update(
        position=F("position") + 1
    )
    clause = Clause.objects.create(
        estate_id=convention.estate_id, convention=convention, position=at, text=text
    )
    audit.record(
        actor=actor,
        action="convention.clause_add",
        target=convention,
        changes={"clause": [None, at], "text": [None, text]},
    )
    return clause


@transaction.atomic
def clause_update(*, actor: Any, clause: Clause, text: str) -> Clause:
    """Change a clause's text while drafting (its comments stay with it)."""
    permissions.require(actor, "draft", clause.convention)
    convention, clause = _clause_locked(clause)
    _require_drafting(convention)
    text = _text(text, field="text", limit=CLAUSE_MAX_LENGTH, required=_("Write the clause."))
    if text != clause.text:
        old = clause.text
        clause.text = text
        clause.updated_at = timezone.now()
        clause.save(update_fields=["text", "updated_at"])
        audit.record(
            actor=actor,
            action="convention.clause_update",
            target=convention,
            changes={"clause": [clause.position, clause.position], "text": [old, text]},
        )
    return clause


@transaction.atomic
def clause_remove(*, actor: Any, clause: Clause) -> None:
    """Take a clause out of the draft; its comments are kept with the clause's text."""
    permissions.require(actor, "draft", clause.convention)
    convention, clause = _clause_locked(clause)
    _require_drafting(convention)
    position, text = clause.position, clause.text
    ClauseComment.objects.filter(clause=clause).update(clause_text=text[:200])
    clause.delete()
    _renumber(_clauses(convention))
    audit.record(
        actor=actor,
        action="convention.clause_remove",
        target=convention,
        changes={"clause": [position, None], "text": [text, None]},
    )


@transaction.atomic
def clause_move(*, actor: Any, clause: Clause, to: int) -> Clause:
    """Move a clause to position ``to`` (1-based); the others close up around it."""
    permissions.require(actor, "draft", clause.convention)
    convention, clause = _clause_locked(clause)
    _require_drafting(convention)
    clauses = [c for c in _clauses(convention) if c.pk != clause.pk]
    try:
        target = int(to)
    except (TypeError, ValueError):
        raise _refuse(_("Choose where to move the clause."), field="to") from None
    if not 1 <= target <= len(clauses) + 1:
        raise _refuse(_("Choose where to move the clause."), field="to")
    old = clause.position
    clauses.insert(target - 1, clause)
    _renumber(clauses)
    if old != target:
        audit.record(
            actor=actor,
            action="convention.clause_move",
            target=convention,
            changes={"clause": [old, target]},
        )
    return clause


# --- Comments --------------------------------------------------------------------------------


@transaction.atomic
def clause_comment_post(*, actor: Any, clause: Clause, body: str) -> ClauseComment:
    """A resident's comment on a clause of a draft."""
    permissions.require(actor, "comment", clause.convention)
    convention, clause = _clause_locked(clause)
    if convention.status != Convention.Status.DRAFTING:
        raise _refuse(_("Comments are closed: the convention is no longer being drafted."))
    body = _text(
        body, field="body", limit=COMMENT_MAX_LENGTH, required=_("Write your comment first.")
    )
    comment = ClauseComment.objects.create(
        estate_id=convention.estate_id,
        convention=convention,
        clause=clause,
        clause_text=clause.text[:200],
        author=actor,
        body=body,
    )
    audit.record(
        actor=actor,
        action="convention.comment_post",
        target=convention,
        changes={"comment": [None, comment.pk], "clause": [None, clause.position]},
    )
    return comment


def _comment_locked(comment: ClauseComment) -> ClauseComment:
    return (
        ClauseComment.objects.select_for_update(of=("self",))
        .select_related("convention")
        .get(pk=comment.pk)
    )


@transaction.atomic
def clause_comment_hide(*, actor: Any, comment: ClauseComment, reason: str) -> ClauseComment:
    """Hide a comment (it is kept, and the reason is shown in its place)."""
    permissions.require(actor, "hide", comment)
    comment = _comment_locked(comment)
    reason = _one_line(
        reason, field="reason", limit=REASON_MAX, required=_("Say why the comment is hidden.")
    )
    if comment.hidden_at is not None:
        raise _refuse(_("This comment is already hidden."))
    comment.hidden_at = timezone.now()
    comment.hidden_by = actor
    comment.hidden_reason = reason
    comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    audit.record(
        actor=actor,
        action="convention.comment_hide",
        target=comment.convention,
        changes={"comment": [comment.pk, comment.pk], "reason": [None, reason]},
    )
    return comment


@transaction.atomic
def clause_comment_report(*, actor: Any, comment: ClauseComment, reason: str = "") -> int:
    """Report a comment to the building's leader and staff; once per person. Returns the
    number of reports it now has."""
    permissions.require(actor, "report", comment)
    comment = _comment_locked(comment)
    reason = " ".join(str(reason or "").split())
    if "\x00" in reason:
        raise _refuse(_("The text holds a character that is not allowed."), field="reason")
    if len(reason) > REASON_MAX:
        raise _refuse(
            _("Keep it to %(n)s characters or fewer.") % {"n": REASON_MAX}, field="reason"
        )
    if ClauseCommentReport.objects.filter(comment=comment, user=actor).exists():
        raise _refuse(_("You have already reported this comment."), code="duplicate")
    ClauseCommentReport.objects.create(
        estate_id=comment.estate_id, comment=comment, user=actor, reason=reason
    )
    comment.reports += 1
    comment.save(update_fields=["reports"])
    audit.record(
        actor=actor,
        action="convention.comment_report",
        target=comment.convention,
        changes={"comment": [comment.pk, comment.pk]},
    )
    return comment.reports


# --- Versions --------------------------------------------------------------------------------


def _latest_version(convention: Convention) -> ConventionVersion | None:
    return ConventionVersion.objects.filter(convention=convention).order_by("-number").first()


def _save_version(actor: Any, convention: Convention, note: str) -> ConventionVersion:
    texts = [c.text for c in _clauses(convention)]
    if not texts:
        raise _refuse(_("Write at least one clause first."))
    number = (
        ConventionVersion.objects.filter(convention=convention).aggregate(n=Max("number"))["n"] or 0
    ) + 1
    version = ConventionVersion.objects.create(
        estate_id=convention.estate_id,
        convention=convention,
        number=number,
        title=convention.title,
        clauses=texts,
        note=note,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(
        actor=actor,
        action="convention.version_save",
        target=convention,
        changes={"version": [number - 1 or None, number]},
    )
    return version


def _unchanged(convention: Convention, version: ConventionVersion | None) -> bool:
    return (
        version is not None
        and version.title == convention.title
        and version.clauses == [c.text for c in _clauses(convention)]
    )


@transaction.atomic
def version_save(*, actor: Any, convention: Convention, note: str = "") -> ConventionVersion:
    """Keep the draft as it stands as the next numbered version (1, 2, …), with a note.
    Versions are never changed afterwards."""
    permissions.require(actor, "draft", convention)
    convention = _locked(convention)
    _require_drafting(convention)
    note = " ".join(str(note or "").split())
    if "\x00" in note:
        raise _refuse(_("The text holds a character that is not allowed."), field="note")
    if len(note) > NOTE_MAX:
        raise _refuse(_("Keep it to %(n)s characters or fewer.") % {"n": NOTE_MAX}, field="note")
    latest = _latest_version(convention)
    if _unchanged(convention, latest):
        assert latest is not None
        raise _refuse(
            _("Nothing has changed since version %(n)s.") % {"n": latest.number},
            code="unchanged",
        )
    return _save_version(actor, convention, note)


# --- Adoption --------------------------------------------------------------------------------


def _vote_body(version: ConventionVersion) -> str:
    lines = [
        _("Residents are asked whether to adopt the following text (version %(n)s).")
        % {"n": version.number},
        "",
    ]
    lines += [f"{i}. {text}" for i, text in enumerate(version.clauses, start=1)]
    return "\n".join(lines)


@transaction.atomic
def adoption_vote_start(
    *,
    actor: Any,
    convention: Convention,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    unit: str = "household",
) -> Convention:
    """Put the draft to a residents' vote of its building (or estate): the text is frozen as
    a version (the latest one if nothing changed since), and a residents' vote with the
    options "adopt" and "do not adopt", one vote per household by default, is drafted and
    announced through the decisions services (which check the notice period)."""
    from linju.decisions import services as decisions
    from linju.decisions.models import Decision

    permissions.require(actor, "start_vote", convention)
    convention = _locked(convention)
    if convention.status != Convention.Status.DRAFTING:
        raise _refuse(_("Only a convention being drafted can be put to the vote."))
    if unit not in Decision.Unit.values:
        raise _refuse(_("Choose who votes."), field="unit")
    latest = _latest_version(convention)
    version = (
        latest
        if latest is not None and _unchanged(convention, latest)
        else _save_version(actor, convention, _("Text put to the vote"))
    )
    decision = decisions.decision_create(
        actor=actor,
        estate=convention.estate,
        kind=Decision.Kind.RESIDENTS,
        title=_("Adopting the convention “%(title)s”") % {"title": convention.title},
        body=_vote_body(version),
        buildings=[convention.building] if convention.building else [],
        options=[_("Adopt the convention"), _("Do not adopt it")],
        method=Decision.Method.SINGLE,
        unit=unit,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    decisions.decision_announce(actor=actor, decision=decision)
    convention.status = Convention.Status.VOTING
    convention.decision = decision
    convention.voted_version = version
    convention.save(update_fields=["status", "decision", "voted_version"])
    audit.record(
        actor=actor,
        action="convention.vote_start",
        target=convention,
        changes={"status": ["drafting", "voting"], "version": [None, version.number]},
    )
    return convention


def adoption_option_key(decision: Any) -> str | None:
    """The key of the "adopt" option of an adoption vote (its first option)."""
    first = decision.options.order_by("position", "pk").first()
    return first.key if first is not None else None


def vote_adopts(decision: Any) -> bool:
    """Did the published result of ``decision`` adopt the convention? Only a published
    result counts, and only if the vote passed (quorum met) with "adopt" winning."""
    if not decision.results_public:
        return False
    block = (decision.result or {}).get("residents") or {}
    key = adoption_option_key(decision)
    return block.get("result") == "passed" and key is not None and key in block.get("winners", [])


def _publish_notice(convention: Convention, actor: Any) -> None:
    """Post the adopted text on the board (decisions of the residents' meeting), as the vote's
    organiser, or as ``actor`` if they may post it. Nobody able to post: no notice yet (staff
    can post it from the convention's page later)."""
    from linju.notices import services as notices
    from linju.notices.models import Notice

    version = convention.current_version
    assert version is not None
    probe = Notice(estate=convention.estate, building=convention.building)
    candidates = [getattr(convention.decision, "created_by", None), actor]
    poster = next(
        (
            c
            for c in candidates
            if c is not None
            and getattr(c, "is_authenticated", False)
            and permissions.can(c, "create", probe)
        ),
        None,
    )
    if poster is None:
        return
    body = "\n".join(
        [
            _("Adopted by the residents' vote “%(vote)s”.")
            % {"vote": convention.decision.title if convention.decision else ""},
            "",
            *[f"{i}. {text}" for i, text in enumerate(version.clauses, start=1)],
            "",
            _("Read it and mark it as read in the app: %(path)s")
            % {"path": convention.get_absolute_url()},
        ]
    )
    try:
        with transaction.atomic():
            notice = notices.notice_create(
                actor=poster,
                estate=convention.estate,
                category=Notice.Category.MEETING,
                title=_("Convention adopted: %(title)s") % {"title": convention.title},
                body=body,
                building=convention.building,
            )
            notice = notices.notice_publish(actor=poster, notice=notice, days=NOTICE_DAYS)
    except (PermissionDenied, ValidationError):
        return
    convention.notice = notice
    convention.save(update_fields=["notice"])


@transaction.atomic
def convention_sync_with_decision(*, convention: Convention, actor: Any = None) -> Convention:
    """Bring a convention under vote in line with its vote: adopted once the result is
    published and "adopt" won (then posted on the board), back to drafting if the vote was
    cancelled or did not adopt it. Safe to call any number of times (pages call it when shown,
    a task may call it too); nothing changes while the vote is still under way."""
    from linju.decisions.models import Decision

    if convention.status != Convention.Status.VOTING or convention.decision_id is None:
        return convention
    convention = _locked(convention)
    if convention.status != Convention.Status.VOTING or convention.decision is None:
        return convention
    decision = Decision.objects.get(pk=convention.decision.pk)
    if decision.results_public:
        if vote_adopts(decision):
            convention.status = Convention.Status.ADOPTED
            convention.adopted_at = decision.published_at or timezone.now()
            convention.current_version = convention.voted_version
            convention.save(update_fields=["status", "adopted_at", "current_version"])
            audit.record(
                actor=None,  # the vote adopted it; whoever opened the page did not
                action="convention.adopt",
                target=convention,
                changes={"status": ["voting", "adopted"]},
            )
            _publish_notice(convention, actor)
            return convention
        outcome = "not_adopted"
    elif decision.status == Decision.Status.CANCELLED:
        outcome = "vote_cancelled"
    else:
        return convention
    convention.status = Convention.Status.DRAFTING
    convention.save(update_fields=["status"])
    audit.record(
        actor=None,
        action=f"convention.{outcome}",
        target=convention,
        changes={"status": ["voting", "drafting"]},
    )
    return convention


def conventions_sync(*, estate: Estate | None = None) -> int:
    """Sync every convention under vote (of ``estate``); for a periodic task. Returns how many
    changed status."""
    changed = 0
    voting = Convention.objects.filter(status=Convention.Status.VOTING)
    if estate is not None:
        voting = voting.filter(estate=estate)
    for convention in voting:
        if convention_sync_with_decision(convention=convention).status != "voting":
            changed += 1
    return changed


@transaction.atomic
def convention_notice_publish(*, actor: Any, convention: Convention) -> Convention:
    """Post an adopted convention on the board when that did not happen at adoption."""
    permissions.require(actor, "draft", convention)
    convention = _locked(convention)
    if convention.status != Convention.Status.ADOPTED:
        raise _refuse(_("Only an adopted convention is posted on the board."))
    if convention.notice_id is not None:
        raise _refuse(_("It is already on the board."))
    _publish_notice(convention, actor)
    if convention.notice_id is None:
        raise PermissionDenied(_("You do not have permission to do this."))
    return convention


# --- Read marks ------------------------------------------------------------------------------


@transaction.atomic
def convention_mark_read(*, actor: Any, convention: Convention) -> tuple[ConventionRead, bool]:
    """Record that a resident has read (and accepts) the adopted version; once per version.
    Returns the mark and whether it is new."""
    permissions.require(actor, "mark_read", convention)
    convention = Convention.objects.select_related("current_version").get(pk=convention.pk)
    if convention.status != Convention.Status.ADOPTED or convention.current_version is None:
        raise _refuse(_("Only an adopted convention can be marked as read."))
    version = convention.current_version
    existing = ConventionRead.objects.filter(version=version, user=actor).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            read = ConventionRead.objects.create(
                estate_id=convention.estate_id, convention=convention, version=version, user=actor
            )
    except IntegrityError:  # the same person, twice at once: the first mark stands
        return ConventionRead.objects.get(version=version, user=actor), False
    audit.record(
        actor=actor,
        action="convention.mark_read",
        target=convention,
        changes={"version": [None, version.number]},
    )
    return read, True
