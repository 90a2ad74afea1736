"""Reads for joining flats and for authorised agents."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from linju.community.models import Building, Estate, Flat, Occupancy, Person
from linju.core import permissions
from linju.membership.models import Delegation, JoinCode, JoinRequest, SlipPrint

RECENT_DECISIONS = datetime.timedelta(days=30)


def delegation_active(
    *, agent: Any, principal: Person, action: str, on: datetime.date | None = None
) -> Delegation | None:
    """The authorisation that lets ``agent`` do ``action`` for ``principal`` today (or ``on``),
    or None. For other apps: a vote, a pledge or a survey answer made by an agent names the
    delegation it relied on, and its page includes ``membership/includes/acting_for.html``."""
    if action not in Delegation.Action.values:
        raise ValueError(f"unknown delegated action {action!r}")
    if agent is None or not getattr(agent, "is_authenticated", False):
        return None
    for delegation in (
        Delegation.objects.active(on)
        .filter(agent=agent, principal=principal)
        .select_related("principal", "agent")
        .order_by("ends_on", "pk")
    ):
        if delegation.allows(action):
            return delegation
    return None


# --- Join codes ------------------------------------------------------------------------------


def join_code_for_flat(*, flat: Flat) -> JoinCode | None:
    return JoinCode.objects.filter(flat=flat, is_active=True).first()


def join_code_get_active(*, code: str) -> JoinCode | None:
    return (
        JoinCode.objects.filter(code=code, is_active=True)
        .select_related("estate", "flat__building", "flat__entrance")
        .first()
    )


@dataclass
class Slip:
    estate: Estate
    flat: Flat
    code: JoinCode


def join_slips(*, target: Estate | Building | Flat) -> list[Slip]:
    """One slip per flat of an estate, a building or one flat, in building and room order
    (flats without an active code are left out: ``join_codes_ensure`` first)."""
    if isinstance(target, Estate):
        flats = Flat.objects.filter(estate=target)
    elif isinstance(target, Building):
        flats = Flat.objects.filter(building=target)
    else:
        flats = Flat.objects.filter(pk=target.pk)
    codes = {
        c.flat_id: c for c in JoinCode.objects.filter(is_active=True, flat__in=flats.values("pk"))
    }
    ordered = sorted(
        flats.select_related("estate", "building", "entrance"),
        key=lambda f: (
            f.building.sort_key,
            _natural(f.building.number),
            _natural(f.entrance.number if f.entrance else ""),
            _natural(f.number),
        ),
    )
    return [Slip(estate=f.estate, flat=f, code=codes[f.pk]) for f in ordered if f.pk in codes]


def _natural(text: str) -> tuple[tuple[int, int, str], ...]:
    """Room "1001" after "201", as people count them, not as strings sort."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.split(r"(\d+)", text)
        if part
    )


def flats_count(*, target: Estate | Building | Flat) -> int:
    if isinstance(target, Estate):
        return Flat.objects.filter(estate=target).count()
    if isinstance(target, Building):
        return Flat.objects.filter(building=target).count()
    return 1


def slip_prints(*, actor: Any, estate: Estate) -> list[SlipPrint]:
    """The estate's join-slip prints of the last week, newest first (without their PDFs)."""
    if not permissions.can(actor, "print", estate, model="join_code"):
        return []
    since = timezone.now() - datetime.timedelta(days=7)
    return list(
        SlipPrint.objects.filter(estate=estate, created_at__gte=since)
        .defer("pdf")
        .select_related("building", "requested_by")
    )


def slip_print_get(*, actor: Any, estate: Estate, print_id: Any) -> SlipPrint:
    """A finished print of ``estate`` for those who may print its slips; otherwise 404."""
    if not permissions.can(actor, "print", estate, model="join_code"):
        raise Http404
    found = SlipPrint.objects.filter(
        estate=estate, pk=print_id, status=SlipPrint.Status.DONE
    ).first()
    if found is None:
        raise Http404
    return found


# --- Join requests ---------------------------------------------------------------------------


def _with_details(requests: QuerySet[JoinRequest]) -> QuerySet[JoinRequest]:
    return requests.select_related(
        "flat__building",
        "flat__entrance",
        "user",
        "decided_by",
        "estate",
        "person",
    ).prefetch_related(
        Prefetch(
            "roster_match__occupancies",
            queryset=Occupancy.objects.current().select_related("flat"),
            to_attr="current_occupancies",
        )
    )


@dataclass
class JoinRequestList:
    pending: list[JoinRequest]
    recent: list[JoinRequest]


def join_request_list(*, actor: Any, estate: Estate) -> JoinRequestList:
    """The estate's waiting requests (oldest first) and those decided in the last 30 days,
    as far as ``actor`` may see them: staff all, a group leader their building's."""
    requests = _with_details(permissions.visible(actor, JoinRequest.objects.filter(estate=estate)))
    # The decider's own requests are not theirs to decide: they see them on their home page.
    requests = requests.exclude(user=actor)
    since = timezone.now() - RECENT_DECISIONS
    return JoinRequestList(
        pending=list(
            requests.filter(status=JoinRequest.Status.PENDING).order_by("created_at", "pk")
        ),
        recent=list(
            requests.filter(decided_at__gte=since)
            .exclude(status=JoinRequest.Status.PENDING)
            .order_by("-decided_at", "-pk")[:50]
        ),
    )


def join_request_get(*, actor: Any, estate: Estate, request_id: Any) -> JoinRequest:
    """One request of ``estate`` that ``actor`` may see; others' and missing ones are 404."""
    found = permissions.get_visible_or_404(
        actor, _with_details(JoinRequest.objects.filter(estate=estate)), pk=request_id
    )
    assert isinstance(found, JoinRequest)
    return found


def join_requests_mine(*, user: Any) -> QuerySet[JoinRequest]:
    """Every join request the person made, newest first."""
    return (
        JoinRequest.objects.filter(user=user)
        .select_related("estate", "flat__building", "flat__entrance")
        .order_by("-created_at", "-id")
    )


def join_request_get_mine(*, actor: Any, request_id: Any) -> JoinRequest:
    found = permissions.get_visible_or_404(
        actor, JoinRequest.objects.filter(user=actor).select_related("flat"), pk=request_id
    )
    assert isinstance(found, JoinRequest)
    return found


# --- Authorisations --------------------------------------------------------------------------


def delegation_get(*, actor: Any, delegation_id: Any) -> Delegation:
    found = permissions.get_visible_or_404(
        actor,
        Delegation.objects.select_related("principal", "agent", "estate"),
        pk=delegation_id,
    )
    assert isinstance(found, Delegation)
    return found


def owner_people(*, user: Any) -> list[Person]:
    """The account's people who own or co-own a flat today: whom it may authorise agents for."""
    from linju.membership.services import OWNER_RELATIONS

    owners = Occupancy.objects.current().filter(relation__in=OWNER_RELATIONS)
    return list(
        Person.objects.filter(user=user, occupancies__in=owners)
        .select_related("estate")
        .distinct()
        .order_by("estate__name", "pk")
    )


@dataclass
class AgentChoice:
    user: Any
    person: Person
    flat_label: str


def agent_choices(*, principal: Person) -> list[AgentChoice]:
    """People who share a flat with ``principal`` today and have an account: whom an owner can
    pick without typing (anyone else is recorded by the residents' committee)."""
    flats = Occupancy.objects.current().filter(person=principal).values("flat_id")
    household = (
        Occupancy.objects.current()
        .filter(flat_id__in=flats, person__user__isnull=False)
        .exclude(person=principal)
        .exclude(person__user_id=principal.user_id)
        .select_related("person__user", "flat__building", "flat__entrance")
        .order_by("person__full_name", "pk")
    )
    seen: set[int] = set()
    choices = []
    for occ in household:
        if occ.person.user_id in seen:
            continue
        seen.add(occ.person.user_id)
        choices.append(
            AgentChoice(user=occ.person.user, person=occ.person, flat_label=occ.flat.label)
        )
    return choices


def person_delegations(*, person: Person) -> dict[str, list[Delegation]]:
    """Authorisations this person gave, and those their account received, newest first."""
    given = list(Delegation.objects.filter(principal=person).select_related("agent", "created_by"))
    received = (
        list(
            Delegation.objects.filter(agent_id=person.user_id).select_related("principal", "estate")
        )
        if person.user_id
        else []
    )
    return {"given": given, "received": received}


# --- My home ---------------------------------------------------------------------------------


@dataclass
class DecidableCount:
    estate: Estate
    count: int


@dataclass
class MyMembership:
    pending: list[JoinRequest] = field(default_factory=list)
    not_approved: list[JoinRequest] = field(default_factory=list)
    to_decide: list[DecidableCount] = field(default_factory=list)
    given: list[Delegation] = field(default_factory=list)
    received: list[Delegation] = field(default_factory=list)
    can_authorise: bool = False

    @property
    def is_empty(self) -> bool:
        return not (
            self.pending
            or self.not_approved
            or self.to_decide
            or self.given
            or self.received
            or self.can_authorise
        )


def my_membership(*, user: Any) -> MyMembership:
    """For a person's home: their waiting requests, refusals of the last 30 days (with the
    reason), requests waiting for them to decide, and the authorisations they gave and
    received that have not ended."""
    if user is None or not user.is_authenticated:
        return MyMembership()
    since = timezone.now() - RECENT_DECISIONS
    mine = JoinRequest.objects.filter(user=user).select_related(
        "flat__building", "flat__entrance", "estate"
    )
    actor = permissions.actor_for(user)
    to_decide: list[DecidableCount] = []
    if actor.staff_estates or actor.leader_buildings or actor.is_admin:
        estates = Estate.objects.filter(pk__in=actor.staff_estates | actor.member_estates)
        for estate in estates.order_by("name"):
            if not permissions.can(user, "list", estate, model="join_request"):
                continue
            waiting = (
                permissions.visible(user, JoinRequest.objects.filter(estate=estate))
                .filter(status=JoinRequest.Status.PENDING)
                .exclude(user=user)
                .count()
            )
            if waiting:
                to_decide.append(DecidableCount(estate=estate, count=waiting))
    current = Delegation.objects.current_or_future().select_related(
        "principal__estate", "agent", "estate"
    )
    return MyMembership(
        pending=list(mine.pending().order_by("created_at")),
        not_approved=list(
            mine.filter(status=JoinRequest.Status.REJECTED, decided_at__gte=since).order_by(
                "-decided_at"
            )
        ),
        to_decide=to_decide,
        given=list(current.filter(principal__user=user).order_by("ends_on")),
        received=list(current.filter(agent=user).order_by("ends_on")),
        can_authorise=bool(owner_people(user=user)),
    )
