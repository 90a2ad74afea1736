"""Writes for joining flats and for authorised agents.

Each service checks permission, validates, writes and audits inside one transaction: a refused
or invalid call writes nothing. The one exception is deliberate: a join code that does not work
is recorded as a security event (kept outside the refused transaction), because counting those
is what makes guessing codes impractical.

Approving a join request writes ``community`` rows (the person, their occupancy) here rather
than through ``community.services``: those services are for committee staff, and a building-group
leader may approve too. The approval is the authority; each row written is audited.
"""

from __future__ import annotations

import datetime
import secrets
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linju.community.models import Building, Estate, Flat, Occupancy, Person, Role
from linju.core import audit, permissions
from linju.core.models import SecurityEvent
from linju.membership.models import (
    JOIN_CODE_ALPHABET,
    JOIN_CODE_LENGTH,
    Delegation,
    JoinCode,
    JoinRequest,
    SlipPrint,
)

# Guessing codes: 31^8 ≈ 8.5 × 10^11 codes, so at 10 wrong tries an hour per account (and 50 per
# network address, which a whole building's Wi-Fi may share) a guesser needs millions of years
# per flat.
WRONG_CODES_PER_USER = 10
WRONG_CODES_PER_IP = 50
WRONG_CODE_WINDOW = datetime.timedelta(hours=1)
EVENT_WRONG_CODE = "join.code_wrong"
EVENT_THROTTLED = "join.throttled"

# An authorisation lasts at most a year; the owner renews it if it is still wanted.
DELEGATION_MAX_DAYS = 365
OWNER_RELATIONS = (Occupancy.Relation.OWNER, Occupancy.Relation.CO_OWNER)

# One message for every code that does not work (unknown, mistyped, replaced): it says nothing
# about whether a flat behind it exists.
WRONG_CODE = gettext_lazy(
    "This join code does not work. Check it against the slip, or ask your building-group "
    "leader or the residents' committee for the current one."
)
TOO_MANY_TRIES = gettext_lazy(
    "Too many codes that did not work. Please try again in an hour, or ask your building-group "
    "leader or the residents' committee for help."
)


class TooManyTries(ValidationError):
    """Refused because of too many wrong codes; pages answer 429."""


# --- Join codes ------------------------------------------------------------------------------


def normalise_code(raw: str) -> str:
    """What a person typed (``abcd-efgh``, full-width, with spaces) → ``ABCDEFGH``."""
    text = unicodedata.normalize("NFKC", raw or "").upper()
    return "".join(ch for ch in text if ch not in " -_·\t\r\n\u3000")


def _generate_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def _fresh_codes(count: int) -> list[str]:
    """``count`` new codes, none of which was ever issued (rotated codes are kept)."""
    codes: set[str] = set()
    while len(codes) < count:
        batch = {_generate_code() for _ in range(count - len(codes))} - codes
        taken = set(JoinCode.objects.filter(code__in=batch).values_list("code", flat=True))
        codes |= batch - taken
    return list(codes)


def _flats_in(target: Estate | Building | Flat) -> Any:
    if isinstance(target, Estate):
        return Flat.objects.filter(estate=target)
    if isinstance(target, Building):
        return Flat.objects.filter(building=target)
    return Flat.objects.filter(pk=target.pk)


@transaction.atomic
def join_codes_ensure(*, actor: Any, target: Estate | Building | Flat) -> int:
    """Give every flat of an estate, a building or one flat an active join code if it has none.
    Returns how many codes were created. Committee staff only."""
    permissions.require(actor, "create", target, model="join_code")
    flats = list(
        _flats_in(target)
        .exclude(join_codes__is_active=True)
        .values_list("pk", "estate_id")
        .order_by("pk")
    )
    if not flats:
        return 0
    codes = _fresh_codes(len(flats))
    JoinCode.objects.bulk_create(
        JoinCode(estate_id=estate_id, flat_id=flat_id, code=code)
        for (flat_id, estate_id), code in zip(flats, codes, strict=True)
    )
    audit.record(
        actor=actor, action="join_code.create", target=target, changes={"codes": [0, len(flats)]}
    )
    return len(flats)


@transaction.atomic
def join_code_rotate(*, actor: Any, flat: Flat) -> JoinCode:
    """Replace a flat's join code: the old one stops working at once and is never issued again.
    Requests already made with it stay as they are. Committee staff only."""
    permissions.require(actor, "rotate", flat, model="join_code")
    flat = Flat.objects.select_for_update().get(pk=flat.pk)
    now = timezone.now()
    JoinCode.objects.filter(flat=flat, is_active=True).update(is_active=False, retired_at=now)
    code = JoinCode.objects.create(
        estate_id=flat.estate_id, flat=flat, code=_fresh_codes(1)[0], created_at=now
    )
    # The codes themselves stay out of the log: it is read by more people than the slips.
    audit.record(actor=actor, action="join_code.rotate", target=flat)
    return code


@transaction.atomic
def join_slips_prepare(*, actor: Any, target: Estate | Building | Flat) -> list[Any]:
    """The slips to print for an estate, a building or a flat: flats without a code get one
    first, and the printing is audited (who printed which codes, and when). Committee staff."""
    from linju.membership.selectors import join_slips

    permissions.require(actor, "print", target, model="join_code")
    join_codes_ensure(actor=actor, target=target)
    slips = join_slips(target=target)
    audit.record(
        actor=actor, action="join_code.print", target=target, changes={"slips": [0, len(slips)]}
    )
    return slips


# Up to this many slips, the PDF is made while the page waits (about 20 ms a slip); more (a
# whole estate) are made by the background worker.
SLIPS_WHILE_YOU_WAIT = 240
KEEP_SLIP_PRINTS = datetime.timedelta(days=7)


@transaction.atomic
def slip_print_request(
    *, actor: Any, estate: Estate, building: Building | None = None, site_url: str
) -> SlipPrint:
    """Ask the background worker for the join slips of an estate or one of its buildings.
    Missing codes are made now, the printing is audited now; prints older than a week are
    deleted (the slips carry live codes). Committee staff only."""
    target: Estate | Building = building or estate
    permissions.require(actor, "print", target, model="join_code")
    join_codes_ensure(actor=actor, target=target)
    SlipPrint.objects.filter(
        estate=estate, created_at__lt=timezone.now() - KEEP_SLIP_PRINTS
    ).delete()
    count = JoinCode.objects.filter(is_active=True, flat__in=_flats_in(target)).count()
    slip_print = SlipPrint.objects.create(
        estate=estate,
        building=building,
        requested_by=actor,
        slip_count=count,
        site_url=site_url[:200],
    )
    audit.record(
        actor=actor, action="join_code.print", target=target, changes={"slips": [0, count]}
    )
    transaction.on_commit(lambda: _enqueue_slip_print(slip_print.pk))
    return slip_print


def _enqueue_slip_print(print_id: int) -> None:
    from linju.membership.tasks import slip_print_make_task

    slip_print_make_task.enqueue(print_id)


def slip_print_make(*, print_id: int) -> SlipPrint:
    """Make a print's PDF (in the background worker). A failure is recorded on the print, so
    the page stops waiting and says so."""
    from linju.membership.selectors import join_slips
    from linju.membership.slips import join_slips_pdf

    slip_print = SlipPrint.objects.select_related("estate", "building").get(pk=print_id)
    target: Estate | Building = slip_print.building or slip_print.estate
    try:
        slips = join_slips(target=target)
        pdf = join_slips_pdf(slips=slips, site_url=slip_print.site_url, title=str(target))
    except Exception:
        SlipPrint.objects.filter(pk=print_id).update(
            status=SlipPrint.Status.FAILED, finished_at=timezone.now()
        )
        raise
    slip_print.pdf = pdf
    slip_print.slip_count = len(slips)
    slip_print.status = SlipPrint.Status.DONE
    slip_print.finished_at = timezone.now()
    slip_print.save(update_fields=["pdf", "slip_count", "status", "finished_at"])
    return slip_print


def _too_many_wrong_codes(user: Any, ip: str) -> bool:
    recent = SecurityEvent.objects.filter(
        event=EVENT_WRONG_CODE, occurred_at__gte=timezone.now() - WRONG_CODE_WINDOW
    )
    if recent.filter(user=user).count() >= WRONG_CODES_PER_USER:
        return True
    return bool(ip) and recent.filter(ip=ip).count() >= WRONG_CODES_PER_IP


def join_code_check(*, actor: Any, code: str) -> JoinCode:
    """The active join code ``code``, for a signed-in person about to ask to join its flat.

    Every code that does not work raises the same message and is recorded as a security event;
    after too many within an hour (per account and per network address) every code is refused,
    the right one too, so that guessing cannot go on. Writes nothing else.
    """
    permissions.require(actor, "create", model="join_request")
    ip = audit.current_client_ip.get()
    if _too_many_wrong_codes(actor, ip):
        audit.record_security(user=actor, event=EVENT_THROTTLED)
        raise TooManyTries({"code": TOO_MANY_TRIES})
    normalised = normalise_code(code)
    found = None
    if len(normalised) == JOIN_CODE_LENGTH:
        found = (
            JoinCode.objects.filter(code=normalised, is_active=True)
            .select_related("flat__building", "flat__entrance", "estate")
            .first()
        )
    if found is None:
        # Committed even though the caller's request fails: the count is what stops guessing.
        with transaction.atomic():
            audit.record_security(user=actor, event=EVENT_WRONG_CODE)
        raise ValidationError({"code": WRONG_CODE})
    return found


def _roster_match(flat: Flat, user: Any) -> Person | None:
    """Someone already on the roster at ``flat`` with the account's phone, not linked to
    another account."""
    if not user.phone:
        return None
    return (
        Person.objects.filter(estate_id=flat.estate_id, phone=user.phone)
        .filter(Q(user__isnull=True) | Q(user=user))
        .filter(occupancies__in=Occupancy.objects.current().filter(flat=flat))
        .order_by("pk")
        .first()
    )


def _clean_relation(relation: str) -> str:
    if relation not in Occupancy.Relation.values:
        raise ValidationError({"relation": _("Choose who you are at this flat.")})
    return relation


def _clean_full_name(full_name: str) -> str:
    full_name = (full_name or "").strip()
    if not full_name:
        raise ValidationError({"full_name": _("Enter your name as the committee knows it.")})
    if len(full_name) > 60:
        raise ValidationError({"full_name": _("A name can be at most 60 characters long.")})
    return full_name


def _deciders(flat: Flat) -> Iterable[Any]:
    """Who is told about a new request: the estate's committee staff and the building's
    group leaders."""
    roles = (
        Role.objects.current()
        .filter(estate_id=flat.estate_id)
        .filter(
            Q(kind=Role.Kind.COMMITTEE_STAFF)
            | Q(kind=Role.Kind.GROUP_LEADER, building_id=flat.building_id)
        )
        .select_related("user")
    )
    return {role.user_id: role.user for role in roles}.values()


def _notify(recipient: Any, kind: str, title: Any, body: Any, url: str, estate: Any) -> None:
    """Tell a person, in their own language, through the notification service."""
    from linju.notifications.channels import language_of
    from linju.notifications.services import notify

    with translation.override(language_of(recipient)):
        notify(
            recipient=recipient,
            kind=kind,
            title=str(title()),
            body=str(body()),
            url=url,
            estate=estate,
        )


def join_request_create(*, actor: Any, code: str, relation: str, full_name: str) -> JoinRequest:
    """Ask to join the flat of ``code`` as ``relation`` (owner, co-owner, tenant, family member).

    The code is checked first (see ``join_code_check``). One request waits per person and
    flat; someone already recorded at the flat cannot ask again. If the roster already has a
    person at the flat with the account's phone number, the request shows the match.
    """
    join_code = join_code_check(actor=actor, code=code)
    return _join_request_write(
        actor=actor, join_code=join_code, relation=relation, full_name=full_name
    )


@transaction.atomic
def _join_request_write(
    *, actor: Any, join_code: JoinCode, relation: str, full_name: str
) -> JoinRequest:
    flat = Flat.objects.select_for_update().select_related("building").get(pk=join_code.flat_id)
    relation = _clean_relation(relation)
    full_name = _clean_full_name(full_name)
    if JoinRequest.objects.pending().filter(flat=flat, user=actor).exists():
        raise ValidationError(
            _("You have already asked to join this flat. Please wait for the approval.")
        )
    if Occupancy.objects.current().filter(flat=flat, person__user=actor).exists():
        raise ValidationError(_("You are already recorded at this flat."))
    join_request = JoinRequest.objects.create(
        estate_id=flat.estate_id,
        flat=flat,
        user=actor,
        join_code=join_code,
        relation=relation,
        full_name=full_name,
        roster_match=_roster_match(flat, actor),
    )
    audit.record(actor=actor, action="join_request.create", target=join_request)
    url = reverse("join_requests", args=[join_code.estate.slug])
    for decider in _deciders(flat):
        _notify(
            decider,
            "join.requested",
            lambda: _("Someone asks to join flat %(flat)s") % {"flat": flat.label},
            lambda: (
                _("%(name)s says they are the %(relation)s. Please check and decide.")
                % {"name": full_name, "relation": join_request.get_relation_display()}
            ),
            url,
            flat.estate,
        )
    return join_request


def _locked_pending(join_request: JoinRequest) -> JoinRequest:
    locked = (
        JoinRequest.objects.select_for_update(of=("self",))
        .select_related("flat__building", "flat__entrance", "user", "estate")
        .get(pk=join_request.pk)
    )
    if not locked.is_pending:
        raise ValidationError(
            _("This request has already been decided or withdrawn (%(status)s).")
            % {"status": locked.get_status_display()}
        )
    return locked


@transaction.atomic
def join_request_approve(*, actor: Any, join_request: JoinRequest) -> JoinRequest:
    """Approve a waiting request: the account is linked to its person in the estate and
    recorded at the flat with the relation it claimed.

    The person is, in this order: the one this account already has in the estate; the roster
    match (same phone, already at the flat), whose record is kept as staff entered it; or a new
    person with the name as typed and the account's phone. Committee staff, or the group leader
    of the flat's building; nobody approves their own request.
    """
    permissions.require(actor, "decide", join_request)
    join_request = _locked_pending(join_request)
    user, flat = join_request.user, join_request.flat
    match = _roster_match(flat, user)
    person = Person.objects.filter(estate_id=flat.estate_id, user=user).first()
    if person is None and match is not None:
        person = match
        person.user = user
        person.save(update_fields=["user"])
        audit.record(
            actor=actor,
            action="person.link_account",
            target=person,
            changes={"user": [None, user.get_username()]},
        )
    elif person is None:
        person = Person.objects.create(
            estate_id=flat.estate_id,
            full_name=join_request.full_name,
            phone=user.phone or "",
            user=user,
        )
        audit.record(actor=actor, action="person.create", target=person)
    if not Occupancy.objects.current().filter(person=person, flat=flat).exists():
        occupancy = Occupancy.objects.create(
            estate_id=flat.estate_id,
            person=person,
            flat=flat,
            relation=join_request.relation,
            starts_on=timezone.localdate(),
        )
        audit.record(actor=actor, action="occupancy.create", target=occupancy)
    join_request.status = JoinRequest.Status.APPROVED
    join_request.decided_by = actor
    join_request.decided_at = timezone.now()
    join_request.roster_match = match
    join_request.person = person
    join_request.save(
        update_fields=["status", "decided_by", "decided_at", "roster_match", "person"]
    )
    audit.record(
        actor=actor,
        action="join_request.approve",
        target=join_request,
        changes={"status": ["pending", "approved"]},
    )
    permissions.forget(user)
    _notify(
        user,
        "membership.approved",
        lambda: _("You have joined flat %(flat)s") % {"flat": flat.label},
        lambda: (
            _("Your request to join flat %(flat)s of %(estate)s was approved.")
            % {"flat": flat.label, "estate": join_request.estate.name}
        ),
        reverse("my_home"),
        join_request.estate,
    )
    return join_request


@transaction.atomic
def join_request_reject(*, actor: Any, join_request: JoinRequest, reason: str) -> JoinRequest:
    """Refuse a waiting request, saying why (the person who asked sees the reason)."""
    permissions.require(actor, "decide", join_request)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why, so the person knows what to do next.")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("Keep the reason under 200 characters.")})
    join_request = _locked_pending(join_request)
    join_request.status = JoinRequest.Status.REJECTED
    join_request.decided_by = actor
    join_request.decided_at = timezone.now()
    join_request.reason = reason
    join_request.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    audit.record(
        actor=actor,
        action="join_request.reject",
        target=join_request,
        changes={"status": ["pending", "rejected"]},
    )
    flat = join_request.flat
    _notify(
        join_request.user,
        "membership.rejected",
        lambda: _("Your request to join flat %(flat)s was not approved") % {"flat": flat.label},
        lambda: _("Reason: %(reason)s") % {"reason": reason},
        reverse("my_home"),
        join_request.estate,
    )
    return join_request


@transaction.atomic
def join_request_withdraw(*, actor: Any, join_request: JoinRequest) -> JoinRequest:
    """The person who asked takes back a waiting request."""
    permissions.require(actor, "withdraw", join_request)
    join_request = _locked_pending(join_request)
    join_request.status = JoinRequest.Status.WITHDRAWN
    join_request.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="join_request.withdraw",
        target=join_request,
        changes={"status": ["pending", "withdrawn"]},
    )
    return join_request


# --- Authorised agents -----------------------------------------------------------------------


def is_owner(person: Person) -> bool:
    """Does ``person`` own (or co-own) a flat today?"""
    return Occupancy.objects.current().filter(person=person, relation__in=OWNER_RELATIONS).exists()


def _clean_scope(scope: Iterable[str]) -> list[str]:
    chosen = [a for a in Delegation.Action.values if a in set(scope or ())]
    unknown = set(scope or ()) - set(Delegation.Action.values)
    if not chosen or unknown:
        raise ValidationError({"scope": _("Choose what they may do for you.")})
    return [Delegation.Action.ALL] if Delegation.Action.ALL in chosen else chosen


@transaction.atomic
def delegation_grant(
    *,
    actor: Any,
    principal: Person,
    agent: Any,
    scope: Iterable[str],
    ends_on: datetime.date,
    starts_on: datetime.date | None = None,
    note: str = "",
) -> Delegation:
    """Record that ``agent`` may act for the owner ``principal`` in ``scope``, from
    ``starts_on`` (default today) to ``ends_on`` inclusive, at most a year.

    The owner grants it themself; committee staff record it on the owner's written request and
    say which (``note``). Refused: a principal who owns no flat, an agent who is the principal,
    dates in the past, longer than a year, or overlapping an authorisation already given to
    the same agent.
    """
    permissions.require(
        actor, "grant", Delegation(estate_id=principal.estate_id, principal=principal)
    )
    today = timezone.localdate()
    starts_on = starts_on or today
    note = (note or "").strip()
    if not is_owner(principal):
        raise ValidationError(
            _("Only an owner or co-owner of a flat can authorise someone to act for them.")
        )
    if agent is None or not getattr(agent, "pk", None):
        raise ValidationError({"agent": _("Choose who will act for you.")})
    if principal.user_id is not None and agent.pk == principal.user_id:
        raise ValidationError({"agent": _("Nobody can be authorised to act for themself.")})
    scope = _clean_scope(scope)
    if starts_on < today:
        raise ValidationError({"starts_on": _("The start date cannot be in the past.")})
    if ends_on < today:
        raise ValidationError({"ends_on": _("The end date has already passed.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end date cannot be before the start date.")})
    if (ends_on - starts_on).days > DELEGATION_MAX_DAYS:
        latest = starts_on + datetime.timedelta(days=DELEGATION_MAX_DAYS)
        raise ValidationError(
            {
                "ends_on": _(
                    "An authorisation can last at most one year: choose %(latest)s or earlier."
                )
                % {"latest": latest.isoformat()}
            }
        )
    if principal.user_id != getattr(actor, "pk", None) and not note:
        raise ValidationError(
            {"note": _("Say which written request from the owner this is based on.")}
        )
    if len(note) > 200:
        raise ValidationError({"note": _("Keep this under 200 characters.")})
    overlapping = Delegation.objects.select_for_update().filter(
        principal=principal,
        agent=agent,
        revoked_at__isnull=True,
        starts_on__lte=ends_on,
        ends_on__gte=starts_on,
    )
    if overlapping.exists():
        raise ValidationError(
            {
                "agent": _(
                    "This person is already authorised for some of these dates. End that "
                    "authorisation first."
                )
            }
        )
    delegation = Delegation.objects.create(
        estate_id=principal.estate_id,
        principal=principal,
        agent=agent,
        scope=scope,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="delegation.grant",
        target=delegation,
        changes={
            "scope": [None, ", ".join(scope)],
            "ends_on": [None, ends_on.isoformat()],
        },
    )
    _notify(
        agent,
        "agent.granted",
        lambda: _("You may now act for %(name)s") % {"name": principal.full_name},
        lambda: (
            _("%(name)s has authorised you until %(date)s: %(scope)s.")
            % {
                "name": principal.full_name,
                "date": ends_on.isoformat(),
                "scope": delegation.scope_text,
            }
        ),
        reverse("my_home"),
        principal.estate,
    )
    return delegation


@transaction.atomic
def delegation_revoke(*, actor: Any, delegation: Delegation) -> Delegation:
    """End an authorisation now. The owner, the agent or committee staff."""
    permissions.require(actor, "revoke", delegation)
    delegation = (
        Delegation.objects.select_for_update(of=("self",))
        .select_related("principal__user", "agent", "estate")
        .get(pk=delegation.pk)
    )
    if delegation.revoked_at is not None:
        raise ValidationError(_("This authorisation has already been ended."))
    if delegation.ends_on < timezone.localdate():
        raise ValidationError(_("This authorisation has already expired."))
    delegation.revoked_at = timezone.now()
    delegation.revoked_by = actor
    delegation.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(
        actor=actor,
        action="delegation.revoke",
        target=delegation,
        changes={"revoked_at": [None, delegation.revoked_at.isoformat(timespec="minutes")]},
    )
    others = {delegation.agent, delegation.principal.user} - {actor, None}
    for other in others:
        _notify(
            other,
            "agent.revoked",
            lambda: _("An authorisation has ended"),
            lambda: (
                _("%(agent)s no longer acts for %(name)s.")
                % {"agent": str(delegation.agent), "name": delegation.principal.full_name}
            ),
            reverse("my_home"),
            delegation.estate,
        )
    return delegation
