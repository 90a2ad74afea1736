"""The one permission module: who may do what to which object, and which objects they may see.

Rules are keyed by ``(model, action)``; each is one small function of the actor and the object.
Views, services, the API and templates ask ``can()``, ``require()`` and ``visible()``; nothing
else checks roles. "Missing" and "forbidden" give the same answer where an object is loaded
(``get_visible_or_404``), so ids of other estates leak nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from linju.accounts.models import Consent
from linju.community.models import (
    Building,
    Estate,
    Flat,
    Occupancy,
    Owner,
    Person,
    Role,
    RosterImport,
    Street,
)
from linju.core.models import AuditEvent
from linju.decisions.models import Decision, DecisionSettings, RollEntry
from linju.funding.models import Expense, Fund, Pledge
from linju.membership.models import Delegation, JoinCode, JoinRequest
from linju.notices.models import BoardSettings, Notice
from linju.notifications.models import Notification, NotificationPreference

ESTATE_OFFICER_KINDS = {
    Role.Kind.COMMITTEE_STAFF,
    Role.Kind.OWNERS_COMMITTEE,
    Role.Kind.PROPERTY_STAFF,
}


@dataclass
class Actor:
    """What an account may act on today, worked out once per request."""

    user: Any
    is_admin: bool = False
    staff_estates: set[int] = field(default_factory=set)  # residents' committee staff
    officer_estates: set[int] = field(default_factory=set)  # staff, owners' cttee, property
    organiser_estates: set[int] = field(default_factory=set)  # staff and owners' committee
    leader_buildings: set[int] = field(default_factory=set)
    foundation_streets: set[int] = field(default_factory=set)
    resident_estates: set[int] = field(default_factory=set)
    resident_buildings: set[int] = field(default_factory=set)
    person_ids: set[int] = field(default_factory=set)
    member_estates: set[int] = field(default_factory=set)  # lives there or holds a role there

    @property
    def is_authenticated(self) -> bool:
        return bool(self.user is not None and self.user.is_authenticated)

    @cached_property
    def member_projects(self) -> dict[int, set[str]]:
        """Projects this account was invited into (designer, contractor): id → roles."""
        if not self.is_authenticated:
            return {}
        from linju.projects.models import ProjectMember

        found: dict[int, set[str]] = {}
        for project_id, kind in ProjectMember.objects.filter(
            user=self.user, ended_at__isnull=True
        ).values_list("project_id", "kind"):
            found.setdefault(project_id, set()).add(kind)
        return found


def actor_for(user: Any) -> Actor:
    """The actor behind ``user`` (anonymous users act as the public). Cached on the user."""
    if user is None or not user.is_authenticated:
        return Actor(user=user)
    cached = getattr(user, "_linju_actor", None)
    if cached is not None:
        return cached
    actor = Actor(user=user, is_admin=user.is_superuser)
    for kind, estate_id, building_id, street_id in (
        Role.objects.current()
        .filter(user=user)
        .values_list("kind", "estate_id", "building_id", "street_id")
    ):
        if kind == Role.Kind.PLATFORM_ADMIN:
            actor.is_admin = True
        elif kind == Role.Kind.COMMITTEE_STAFF:
            actor.staff_estates.add(estate_id)
            actor.officer_estates.add(estate_id)
            actor.organiser_estates.add(estate_id)
        elif kind in ESTATE_OFFICER_KINDS:
            actor.officer_estates.add(estate_id)
            if kind == Role.Kind.OWNERS_COMMITTEE:
                actor.organiser_estates.add(estate_id)
        elif kind == Role.Kind.GROUP_LEADER:
            actor.leader_buildings.add(building_id)
            actor.member_estates.add(estate_id)
        elif kind == Role.Kind.FOUNDATION_OFFICER:
            actor.foundation_streets.add(street_id)
    for person_id, estate_id in Person.objects.filter(user=user).values_list("pk", "estate_id"):
        actor.person_ids.add(person_id)
        actor.resident_estates.add(estate_id)
    actor.resident_buildings = set(
        Occupancy.objects.current()
        .filter(person_id__in=actor.person_ids)
        .values_list("flat__building_id", flat=True)
    )
    actor.member_estates |= actor.resident_estates | actor.officer_estates
    user._linju_actor = actor
    return actor


def forget(user: Any) -> None:
    """Drop the cached actor (after a role or occupancy of this user changed)."""
    if user is not None and hasattr(user, "_linju_actor"):
        del user._linju_actor


# --- The rules -------------------------------------------------------------------------------


def _estate_id(obj: Any) -> int | None:
    if obj is None:
        return None
    if isinstance(obj, Estate):
        return obj.pk
    return getattr(obj, "estate_id", None)


def _is_estate_staff(a: Actor, obj: Any) -> bool:
    return a.is_admin or _estate_id(obj) in a.staff_estates


def _is_estate_officer(a: Actor, obj: Any) -> bool:
    return a.is_admin or _estate_id(obj) in a.officer_estates


def _is_organiser(a: Actor, obj: Any) -> bool:
    """Residents' committee staff and the owners' committee organise votes; the property
    company does not (owners may vote to dismiss it, Art. 278 item 4)."""
    return a.is_admin or _estate_id(obj) in a.organiser_estates


def _is_treasurer(a: Actor, fund: Any) -> bool:
    return a.is_authenticated and fund is not None and fund.treasurer_id == a.user.pk


def _keeps_foundation_fund(a: Actor, fund: Any) -> bool:
    """A street's fund (its foundation's money) is kept by the street's foundation officers."""
    return isinstance(fund, Fund) and fund.street_id is not None and _is_foundation_officer(a, fund)


def _public_board_estates() -> QuerySet:
    """Estates that let anyone read their disclosure board (``notices.BoardSettings``)."""
    from django.apps import apps

    if not apps.is_installed("linju.notices"):
        return Estate.objects.none().values("pk")
    settings_model = apps.get_model("notices", "BoardSettings")
    return settings_model.objects.filter(public=True).values("estate_id")


def _board_is_public(obj: Any) -> bool:
    estate_id = _estate_id(obj)
    return estate_id is not None and _public_board_estates().filter(estate_id=estate_id).exists()


def _is_estate_member(a: Actor, obj: Any) -> bool:
    return a.is_admin or _estate_id(obj) in a.member_estates


def _leads_building_of(a: Actor, obj: Any) -> bool:
    building_id = obj.pk if isinstance(obj, Building) else getattr(obj, "building_id", None)
    return building_id in a.leader_buildings


def _person_in_led_building(a: Actor, person: Person) -> bool:
    return (
        bool(a.leader_buildings)
        and Occupancy.objects.current()
        .filter(person=person, flat__building_id__in=a.leader_buildings)
        .exists()
    )


def _leads_building_of_flat(a: Actor, obj: Any) -> bool:
    flat = getattr(obj, "flat", None)
    return flat is not None and flat.building_id in a.leader_buildings


def _leads_a_building_in(a: Actor, estate: Any) -> bool:
    estate_id = _estate_id(estate)
    return (
        bool(a.leader_buildings)
        and estate_id is not None
        and (Building.objects.filter(pk__in=a.leader_buildings, estate_id=estate_id).exists())
    )


def _is_own_request(a: Actor, obj: Any) -> bool:
    return obj is not None and a.is_authenticated and obj.user_id == a.user.pk


def _is_principal_or_agent(a: Actor, obj: Any) -> bool:
    return obj is not None and (
        obj.principal_id in a.person_ids or (a.is_authenticated and obj.agent_id == a.user.pk)
    )


RECORD_AFTER_CLOSE = (
    Decision.Status.CLOSED,
    Decision.Status.TALLIED,
    Decision.Status.PUBLISHED,
    Decision.Status.ARCHIVED,
)


def _votes_on_roll_of(a: Actor, decision: Any) -> bool:
    """The actor is (one of) the people an entry of the decision's roll names (its voter, a
    co-owner of its owner entity, an adult resident), or an agent they authorised to vote."""
    if not a.is_authenticated or decision.pk is None:
        return False
    roll = RollEntry.objects.filter(decision_id=decision.pk)
    mine = (
        Q(voter_id__in=a.person_ids)
        | Q(person_id__in=a.person_ids)
        | Q(owner__members__in=a.person_ids)
    )
    if roll.filter(mine).exists():
        return True
    return any(
        delegation.allows("vote")
        for delegation in Delegation.objects.active().filter(
            Q(principal_id__in=roll.values("voter_id"))
            | Q(principal_id__in=roll.values("person_id")),
            agent=a.user,
        )
    )


def _is_own(a: Actor, obj: Any, user_field: str) -> bool:
    return a.is_authenticated and obj is not None and getattr(obj, user_field, None) == a.user.pk


def _posts_notice(a: Actor, notice: Any) -> bool:
    """Committee staff and the owners' committee post on the whole estate's board; a
    building-group leader posts for the building they lead only."""
    return _is_organiser(a, notice) or (
        notice is not None
        and getattr(notice, "building_id", None) is not None
        and notice.building_id in a.leader_buildings
    )


def _sees_project(a: Actor, project: Any) -> bool:
    return _is_estate_member(a, project) or (
        project is not None and project.pk is not None and project.pk in a.member_projects
    )


def _showcase_is_public(project: Any) -> bool:
    return (
        project is not None
        and project.status == "finished"
        and project.showcase_public
        and _board_is_public(project)
    )


def _convention_adopted(convention: Any) -> bool:
    return convention is not None and getattr(convention, "status", None) == "adopted"


def _drafts_convention(a: Actor, convention: Any) -> bool:
    """Committee staff of the estate, or the group leader of the convention's building."""
    return convention is not None and (
        _is_estate_staff(a, convention)
        or (convention.building_id is not None and _leads_building_of(a, convention))
    )


def _lives_under_convention(a: Actor, convention: Any) -> bool:
    """A building's civility convention concerns its residents; an estate-wide one and a
    shared space's rules concern every resident of the estate."""
    if convention is None or not a.is_authenticated:
        return False
    if convention.building_id is None or convention.kind == "space_rules":
        return convention.estate_id in a.resident_estates
    return convention.building_id in a.resident_buildings


def _is_member_of(a: Actor, project: Any, kind: str = "designer") -> bool:
    """Invited into this very project as ``kind`` (designer, contractor)."""
    return (
        project is not None
        and project.pk is not None
        and kind in a.member_projects.get(project.pk, set())
    )


def _lives_in_scope(a: Actor, project: Any) -> bool:
    """Lives in the project's building (in the estate, for an estate-wide project)."""
    if project is None or not a.is_authenticated:
        return False
    if project.building_id is None:
        return project.estate_id in a.resident_estates
    return project.building_id in a.resident_buildings


def _organises_meeting(a: Actor, meeting: Any) -> bool:
    """Committee staff and the owners' committee organise every meeting of their estate; a
    building-group leader the ordinary group meetings of the building they lead; a foundation
    officer of the street the pitches (路演) of the estate's grant applicants."""
    if meeting is None:
        return False
    return (
        _is_organiser(a, meeting)
        or (
            getattr(meeting, "kind", None) == "building"
            and getattr(meeting, "building_id", None) is not None
            and meeting.building_id in a.leader_buildings
        )
        or (
            getattr(meeting, "kind", None) == "pitch"
            and _is_foundation_officer(a, getattr(meeting, "estate", None))
        )
    )


def _in_meeting_project(a: Actor, meeting: Any) -> bool:
    project_id = getattr(meeting, "project_id", None)
    return project_id is not None and project_id in a.member_projects


def _moderates_building(a: Actor, obj: Any) -> bool:
    """Committee staff of the estate, or the group leader of the object's building (ideas,
    comments, topics)."""
    return obj is not None and (_is_estate_staff(a, obj) or _leads_building_of(a, obj))


def _takes_part_in_building(a: Actor, obj: Any) -> bool:
    """Residents of the object's building, its group leader and committee staff (ideas)."""
    building_id = getattr(obj, "building_id", None)
    return obj is not None and (
        _is_estate_staff(a, obj)
        or building_id in a.leader_buildings
        or building_id in a.resident_buildings
    )


def _sees_comment(a: Actor, comment: Any) -> bool:
    return comment is not None and (
        _is_estate_member(a, comment)
        or (comment.project_id is not None and comment.project_id in a.member_projects)
    )


# --- foundation: programmes and applications (helpers) -----------------------------------

# Application statuses once the estate has endorsed it: from then on the foundation sees it.
FOUNDATION_SEES = (
    "endorsed",
    "received",
    "under_review",
    "shortlisted",
    "declined",
    "awarded",
    "not_awarded",
)


def _street_id(obj: Any) -> int | None:
    if obj is None:
        return None
    if isinstance(obj, Street):
        return obj.pk
    if hasattr(obj, "street_id"):
        return obj.street_id
    programme = getattr(obj, "programme", None)
    return programme.street_id if programme is not None else None


def _is_foundation_officer(a: Actor, obj: Any) -> bool:
    """A foundation officer of the object's street (a programme's, an application's)."""
    return a.is_admin or _street_id(obj) in a.foundation_streets


def _applies_for(a: Actor, application: Any) -> bool:
    """The applicant side: committee staff of the estate, or the group leader of the
    application's building."""
    return application is not None and (
        _is_estate_staff(a, application)
        or (application.building_id is not None and _leads_building_of(a, application))
    )


def _sees_application(a: Actor, application: Any) -> bool:
    if application is None:
        return False
    if _applies_for(a, application):
        return True
    if application.status == "draft":
        return False
    return _is_estate_member(a, application) or (
        application.status in FOUNDATION_SEES and _is_foundation_officer(a, application)
    )


# --- opinions ---


def _runs_discussion(a: Actor, discussion: Any) -> bool:
    """Committee staff of the estate, or the group leader of the discussion's building."""
    return discussion is not None and (
        _is_estate_staff(a, discussion)
        or (discussion.building_id is not None and _leads_building_of(a, discussion))
    )


def _runs_consultation(a: Actor, consultation: Any) -> bool:
    """Committee staff and the owners' committee run any survey of the estate; a group leader
    the surveys of the building they lead."""
    return consultation is not None and (
        _is_organiser(a, consultation)
        or (consultation.building_id is not None and _leads_building_of(a, consultation))
    )


# --- budgeting: participatory-budgeting votes (helpers) ---------------------------------


def _in_street(estate_ids: set[int], obj: Any) -> bool:
    """One of ``estate_ids`` is an estate of the object's street (a vote's programme's)."""
    street_id = _street_id(obj)
    return (
        bool(estate_ids)
        and street_id is not None
        and Estate.objects.filter(street_id=street_id, pk__in=estate_ids).exists()
    )


def _street_board_is_public(obj: Any) -> bool:
    street_id = _street_id(obj)
    return (
        street_id is not None
        and Estate.objects.filter(street_id=street_id, pk__in=_public_board_estates()).exists()
    )


@dataclass(frozen=True)
class Rule:
    """One permission: ``check(actor, obj)`` answers it; ``doc`` says it in words."""

    doc: str
    check: Callable[[Actor, Any], bool]


RULES: dict[tuple[str, str], Rule] = {
    ("street", "create"): Rule("Platform admins create streets.", lambda a, o: a.is_admin),
    ("estate", "create"): Rule("Platform admins create estates.", lambda a, o: a.is_admin),
    ("estate", "view"): Rule(
        "Anyone sees an estate's public page (counts only, nothing personal).",
        lambda a, o: True,
    ),
    ("estate", "manage"): Rule(
        "Residents' committee staff of the estate use its console.", _is_estate_staff
    ),
    ("estate", "view_directory"): Rule(
        "Committee staff, owners' committee and property staff of the estate see its roster.",
        _is_estate_officer,
    ),
    ("building", "view"): Rule("Anyone sees a building's public page.", lambda a, o: True),
    ("building", "view_flats"): Rule(
        "Members of the estate see the flats of its buildings (numbers and areas).",
        _is_estate_member,
    ),
    ("building", "change"): Rule("Committee staff edit buildings.", _is_estate_staff),
    ("building", "create"): Rule("Committee staff add buildings.", _is_estate_staff),
    ("flat", "view"): Rule(
        "Members of the estate see a flat's number and area.", _is_estate_member
    ),
    ("flat", "change"): Rule("Committee staff edit flats.", _is_estate_staff),
    ("flat", "create"): Rule("Committee staff add flats.", _is_estate_staff),
    ("person", "view"): Rule(
        "Estate officers see the estate's people; a group leader sees their building's; "
        "everyone sees themselves.",
        lambda a, o: (
            _is_estate_officer(a, o)
            or (o is not None and o.pk in a.person_ids)
            or (o is not None and _person_in_led_building(a, o))
        ),
    ),
    ("person", "view_phone"): Rule(
        "Only committee staff of the estate see full phone numbers; others see them masked.",
        lambda a, o: _is_estate_staff(a, o) or (o is not None and o.pk in a.person_ids),
    ),
    ("person", "change"): Rule("Committee staff edit people.", _is_estate_staff),
    ("person", "create"): Rule("Committee staff add people.", _is_estate_staff),
    ("occupancy", "create"): Rule("Committee staff record who lives where.", _is_estate_staff),
    ("occupancy", "end"): Rule("Committee staff end an occupancy.", _is_estate_staff),
    ("owner", "change"): Rule("Committee staff record ownership.", _is_estate_staff),
    ("role", "assign"): Rule(
        "Committee staff assign roles inside their estate; platform admins anywhere.",
        lambda a, o: (
            a.is_admin
            or (
                _estate_id(o) in a.staff_estates
                and getattr(o, "kind", None)
                not in (Role.Kind.PLATFORM_ADMIN, Role.Kind.FOUNDATION_OFFICER)
            )
        ),
    ),
    ("role", "end"): Rule(
        "Whoever may assign a role may end it.",
        lambda a, o: RULES[("role", "assign")].check(a, o),
    ),
    ("audit", "view"): Rule("Committee staff read their estate's audit log.", _is_estate_staff),
    ("estate", "import_roster"): Rule(
        "Committee staff of the estate import its roster (and see its imports).", _is_estate_staff
    ),
    ("estate", "export_roster"): Rule(
        "Committee staff of the estate export its roster, with names and full phone numbers.",
        _is_estate_staff,
    ),
    ("home", "view"): Rule("Signed-in people see their own home.", lambda a, o: a.is_authenticated),
    ("account", "change"): Rule(
        "People change their own account's name; nobody else does it here.",
        lambda a, o: a.is_authenticated and o is not None and o.pk == a.user.pk,
    ),
    ("account", "export_data"): Rule(
        "People download everything held on their own account; nobody downloads another's.",
        lambda a, o: a.is_authenticated and o is not None and o.pk == a.user.pk,
    ),
    ("account", "delete"): Rule(
        "People delete their own account; nobody, not even staff, deletes it for them here.",
        lambda a, o: a.is_authenticated and o is not None and o.pk == a.user.pk,
    ),
    ("consent", "manage"): Rule(
        "People give and withdraw their own consents; nobody else, not even staff or platform "
        "admins (PIPL: consent is the person's own).",
        lambda a, o: a.is_authenticated and o is not None and o.user_id == a.user.pk,
    ),
    ("notification", "view"): Rule(
        "A notification is seen (and marked read) by the person it was sent to; nobody else, "
        "not even platform admins.",
        lambda a, o: _is_own(a, o, "recipient_id"),
    ),
    ("notification_preference", "change"): Rule(
        "Each person sets how they are notified; nobody else.",
        lambda a, o: _is_own(a, o, "user_id"),
    ),
    ("join_code", "view"): Rule("Committee staff see flats' join codes.", _is_estate_staff),
    ("join_code", "create"): Rule(
        "Committee staff give flats without a join code a new one.", _is_estate_staff
    ),
    ("join_code", "rotate"): Rule(
        "Committee staff replace a flat's join code (the old one stops working).", _is_estate_staff
    ),
    ("join_code", "print"): Rule(
        "Committee staff print join slips for a building or the estate.", _is_estate_staff
    ),
    ("join_request", "create"): Rule(
        "Any signed-in person may ask to join a flat with its code.",
        lambda a, o: a.is_authenticated,
    ),
    ("join_request", "list"): Rule(
        "Committee staff of the estate, and group leaders of one of its buildings, open the "
        "list of join requests (a leader sees their building's only).",
        lambda a, o: _is_estate_staff(a, o) or _leads_a_building_in(a, o),
    ),
    ("join_request", "view"): Rule(
        "Committee staff, the group leader of the flat's building and the person who asked see "
        "a join request.",
        lambda a, o: (
            _is_estate_staff(a, o) or _leads_building_of_flat(a, o) or _is_own_request(a, o)
        ),
    ),
    ("join_request", "decide"): Rule(
        "Committee staff and the group leader of the flat's building approve or refuse a join "
        "request; nobody decides their own.",
        lambda a, o: (
            (_is_estate_staff(a, o) or _leads_building_of_flat(a, o)) and not _is_own_request(a, o)
        ),
    ),
    ("join_request", "withdraw"): Rule(
        "The person who asked may withdraw their request.", _is_own_request
    ),
    ("delegation", "view"): Rule(
        "Committee staff, the owner and the agent see an authorisation.",
        lambda a, o: _is_estate_staff(a, o) or _is_principal_or_agent(a, o),
    ),
    ("delegation", "grant"): Rule(
        "An owner authorises someone for themself; committee staff record one on an owner's "
        "written request. (That the person is an owner is checked by the service.)",
        lambda a, o: _is_estate_staff(a, o) or (o is not None and o.principal_id in a.person_ids),
    ),
    ("delegation", "revoke"): Rule(
        "The owner, the agent and committee staff may end an authorisation.",
        lambda a, o: _is_estate_staff(a, o) or _is_principal_or_agent(a, o),
    ),
    ("decision", "create"): Rule(
        "Committee staff and the owners' committee of the estate draft decisions.", _is_organiser
    ),
    ("decision", "view"): Rule(
        "Anyone sees an announced decision, its roll (flat numbers and areas), participation "
        "and, once published, its results (居务公开); drafts only its organisers.",
        lambda a, o: o is not None and (o.status != "draft" or _is_organiser(a, o)),
    ),
    ("decision", "manage"): Rule(
        "Committee staff and the owners' committee edit drafts, announce, open, close, count, "
        "publish, archive and cancel decisions, amend the roll and record notices served.",
        _is_organiser,
    ),
    ("decision", "enter_paper"): Rule(
        "Committee staff and the owners' committee enter paper ballots and proxy letters.",
        _is_organiser,
    ),
    ("decision", "view_voters"): Rule(
        "Organisers see who is behind each roll entry and how each ballot arrived; everyone "
        "else sees voter numbers, flats and areas only.",
        _is_organiser,
    ),
    ("decision", "vote"): Rule(
        "Signed-in people may try to vote; the roll decides whether they can (their own entry, "
        "or an owner's as an authorised agent).",
        lambda a, o: a.is_authenticated and o is not None,
    ),
    ("decision", "export_record"): Rule(
        "Organisers download a decision's full record once voting has closed; owners on its "
        "roll, and their agents authorised to vote, once the results are published.",
        lambda a, o: (
            o is not None
            and (
                (_is_organiser(a, o) and o.status in RECORD_AFTER_CLOSE)
                or (o.status in Decision.RESULTS_PUBLIC and _votes_on_roll_of(a, o))
            )
        ),
    ),
    ("decision_settings", "change"): Rule(
        "Committee staff of the estate set its standing rules for decisions.", _is_estate_staff
    ),
    # notices: the disclosure board (居务公开)
    ("board", "view"): Rule(
        "Members of the estate read its notice board; anyone does, without signing in, once "
        "the estate makes it public.",
        lambda a, o: _is_estate_member(a, o) or _board_is_public(o),
    ),
    ("board", "manage"): Rule(
        "Committee staff, the owners' committee and the estate's building-group leaders open "
        "the notice console (a leader manages their building's notices only).",
        lambda a, o: _is_organiser(a, o) or _leads_a_building_in(a, o),
    ),
    ("notice", "view"): Rule(
        "Whoever reads the board reads its published and withdrawn notices; a draft only "
        "those who may post it.",
        lambda a, o: (
            o is not None
            and (
                _posts_notice(a, o)
                or (o.status != Notice.Status.DRAFT and RULES[("board", "view")].check(a, o))
            )
        ),
    ),
    ("notice", "create"): Rule(
        "Committee staff and the owners' committee post notices for the estate or any of its "
        "buildings; a group leader for the building they lead.",
        _posts_notice,
    ),
    ("notice", "manage"): Rule(
        "Whoever may post a notice edits its draft and attachments, publishes, pins, unpins "
        "and withdraws it.",
        _posts_notice,
    ),
    ("notice", "view_readers"): Rule(
        "Whoever may post a notice sees who has read it (names, never phone numbers); everyone "
        "else sees how many have.",
        _posts_notice,
    ),
    ("board_settings", "change"): Rule(
        "Committee staff of the estate decide whether its board is public.", _is_estate_staff
    ),
    ("fund", "view"): Rule(
        "Members of the estate see its funds and every entry (居务公开); anyone does when the "
        "estate's board is public. A street's foundation fund: its foundation officers.",
        lambda a, o: _is_estate_member(a, o) or _board_is_public(o) or _keeps_foundation_fund(a, o),
    ),
    ("fund", "create"): Rule(
        "Committee staff open funds; a group leader opens one for their building; a street's "
        "foundation officers open the foundation's fund.",
        lambda a, o: (
            _is_estate_staff(a, o)
            or (o is not None and _leads_building_of(a, o))
            or _keeps_foundation_fund(a, o)
        ),
    ),
    ("fund", "pledge"): Rule(
        "Residents of the estate pledge money or materials.",
        lambda a, o: a.is_admin or _estate_id(o) in a.resident_estates,
    ),
    ("fund", "record"): Rule(
        "The fund's treasurer (and committee staff; for a street's foundation fund, the "
        "foundation officers) record what was received and spent, and reverse mistakes.",
        lambda a, o: _is_estate_staff(a, o) or _is_treasurer(a, o) or _keeps_foundation_fund(a, o),
    ),
    ("expense", "approve"): Rule(
        "A second person approves an expense: committee staff, the owners' committee, or the "
        "group leader of the fund's building (never the one who recorded it: the service "
        "checks that).",
        lambda a, o: _is_organiser(a, o) or _leads_building_of(a, getattr(o, "fund", None)),
    ),
    ("expense", "approve_as_leader"): Rule(
        "Above the fund's limit, the group leader of the fund's building approves too.",
        lambda a, o: o is not None and _leads_building_of(a, o.fund),
    ),
    ("pledge", "withdraw"): Rule(
        "The person who pledged withdraws their pledge.", lambda a, o: _is_own(a, o, "made_by_id")
    ),
    # --- foundation: programmes and applications --------------------------------------------
    ("programme", "view"): Rule(
        "Anyone reads a published grant programme and its rules; a draft only the foundation "
        "officers of its street.",
        lambda a, o: o is not None and (o.status != "draft" or _is_foundation_officer(a, o)),
    ),
    ("programme", "create"): Rule(
        "Foundation officers of a street create its grant programmes.", _is_foundation_officer
    ),
    ("programme", "manage"): Rule(
        "Foundation officers of the programme's street edit it, set its criteria, publish it "
        "and move it through its stages.",
        _is_foundation_officer,
    ),
    ("application", "view"): Rule(
        "The applicant side (the building's group leader, committee staff) sees its "
        "applications, drafts included; members of the estate see them once submitted; "
        "foundation officers of the street once the estate has endorsed them.",
        _sees_application,
    ),
    ("application", "create"): Rule(
        "A group leader applies for the project of the building they lead; committee staff for "
        "any project of the estate.",
        _applies_for,
    ),
    ("application", "edit"): Rule(
        "The applicant side edits a draft or returned application, adds photos and submits it.",
        _applies_for,
    ),
    ("application", "endorse"): Rule(
        "Committee staff of the estate endorse a submitted application, or return it with a "
        "message.",
        _is_estate_staff,
    ),
    ("application", "process"): Rule(
        "Foundation officers of the programme's street receive an endorsed application, ask "
        "for documents and move it through review.",
        lambda a, o: o is not None and _is_foundation_officer(a, o),
    ),
    ("application", "upload"): Rule(
        "The applicant side adds documents, answering what the foundation asked for.",
        _applies_for,
    ),
    # --- opinions ----------------------------------------------------------------------------
    ("discussion", "view"): Rule(
        "Members of the estate see its opinion discussions and their maps (groups, never "
        "individuals); a draft only those who run it.",
        lambda a, o: _is_estate_member(a, o) and (o.status != "draft" or _runs_discussion(a, o)),
    ),
    ("discussion", "create"): Rule(
        "Committee staff start a discussion for the estate or any building; a group leader for "
        "the building they lead.",
        _runs_discussion,
    ),
    ("discussion", "manage"): Rule(
        "Committee staff and the building's group leader open and close a discussion.",
        _runs_discussion,
    ),
    ("discussion", "moderate"): Rule(
        "Committee staff and the building's group leader accept or reject statements (a "
        "rejection says why, to its author).",
        _runs_discussion,
    ),
    ("discussion", "console"): Rule(
        "Committee staff, and group leaders of one of its buildings, open the estate's console "
        "of discussions (a leader sees their building's).",
        lambda a, o: _is_estate_staff(a, o) or _leads_a_building_in(a, o),
    ),
    ("discussion", "vote"): Rule(
        "Residents of the discussion's building (of the estate, for an estate-wide one) vote on "
        "its statements.",
        _lives_in_scope,
    ),
    ("discussion", "submit"): Rule(
        "Residents of the discussion's building (of the estate, for an estate-wide one) write "
        "statements; so do those who run it.",
        lambda a, o: _lives_in_scope(a, o) or _runs_discussion(a, o),
    ),
    # --- consultations: surveys ---------------------------------------------------------------
    ("consultation", "console"): Rule(
        "Committee staff, the owners' committee and the estate's building-group leaders open "
        "the surveys console (a leader runs their own building's surveys only).",
        lambda a, o: _is_organiser(a, o) or _leads_a_building_in(a, o),
    ),
    ("consultation", "create"): Rule(
        "Committee staff and the owners' committee put surveys to any audience of the estate; "
        "a group leader to the building they lead.",
        _runs_consultation,
    ),
    ("consultation", "manage"): Rule(
        "Whoever may create a survey edits its questions while it is a draft, opens, closes "
        "and reminds, prints the paper questionnaire and enters paper answers.",
        _runs_consultation,
    ),
    ("consultation", "view"): Rule(
        "Members of the estate see its open, closed and published surveys; a draft only those "
        "who run it.",
        lambda a, o: (
            o is not None
            and (_runs_consultation(a, o) or (o.status != "draft" and _is_estate_member(a, o)))
        ),
    ),
    ("consultation", "answer"): Rule(
        "Residents of the estate may try to answer; the survey's audience decides whether they "
        "can (the service checks it: their building, owners only, a list).",
        lambda a, o: o is not None and a.is_authenticated and o.estate_id in a.resident_estates,
    ),
    ("consultation", "view_who"): Rule(
        "Those who run a named survey see who has and has not answered; in an anonymous survey "
        "nobody does, only counts.",
        lambda a, o: o is not None and not o.anonymous and _runs_consultation(a, o),
    ),
    # --- grants: review, decisions, disbursements, reports ----------------------------------
    ("grants", "manage"): Rule(
        "Foundation officers of the programme's street assign reviewers, see the scores side "
        "by side, hold the pitch, decide grants, print agreements, pay and follow reports.",
        _is_foundation_officer,
    ),
    ("reviewer_assignment", "review"): Rule(
        "Only the assigned reviewer scores applications and declares conflicts of interest "
        "(the service refuses applications of estates they live in or hold a role in).",
        lambda a, o: _is_own(a, o, "reviewer_id"),
    ),
    ("grant", "view"): Rule(
        "The foundation's decision on an application is public to the estate (its members, "
        "anyone once the board is public), to the applicant side and to the street's officers.",
        lambda a, o: (
            o is not None
            and (
                _is_foundation_officer(a, o)
                or _is_estate_member(a, o)
                or _board_is_public(o)
                or _applies_for(a, o.application)
            )
        ),
    ),
    ("grant_report", "submit"): Rule(
        "The applicant side (committee staff of the estate, the group leader of the "
        "application's building) submits the reports a grant owes.",
        lambda a, o: o is not None and _applies_for(a, o.grant.application),
    ),
    ("fund", "receive_grant"): Rule(
        "Foundation officers of the fund's street pay a grant into an estate's fund.",
        lambda a, o: (
            o is not None
            and (
                a.is_admin
                or Estate.objects.filter(
                    pk=_estate_id(o) or 0, street_id__in=a.foundation_streets
                ).exists()
            )
        ),
    ),
    # --- budgeting: participatory-budgeting votes ------------------------------------------
    ("budget_vote", "view"): Rule(
        "Members of the street's estates follow a vote once it is open; the street's foundation "
        "officers from the start.",
        lambda a, o: (
            o is not None
            and (
                _is_foundation_officer(a, o)
                or (o.status != "draft" and _in_street(a.member_estates, o))
            )
        ),
    ),
    ("budget_vote", "manage"): Rule(
        "Foundation officers of the programme's street open, close, count and publish the vote "
        "and export its ballots (anonymised).",
        _is_foundation_officer,
    ),
    ("budget_vote", "cast"): Rule(
        "Residents of the street's estates vote (the service checks they are on the roster and "
        "vote once).",
        lambda a, o: o is not None and _in_street(a.resident_estates, o),
    ),
    ("budget_vote", "enter_paper"): Rule(
        "Committee staff of an estate of the street enter its residents' paper ballots.",
        lambda a, o: o is not None and (a.is_admin or _in_street(a.staff_estates, o)),
    ),
    ("budget_vote", "view_results"): Rule(
        "Once published, the results are read by members of the street's estates, and by "
        "anyone when an estate of the street has a public board; officers read the count "
        "before.",
        lambda a, o: (
            o is not None
            and (
                _is_foundation_officer(a, o)
                or (
                    o.status == "published"
                    and (_in_street(a.member_estates, o) or _street_board_is_public(o))
                )
            )
        ),
    ),
    ("pb_file", "compute"): Rule(
        "Foundation officers and platform admins compute the outcome of a Pabulib .pb file.",
        lambda a, o: a.is_admin or bool(a.foundation_streets),
    ),
    # --- consultations: results -------------------------------------------------------------
    ("consultation", "view_results"): Rule(
        "Those who run a survey see its live results: rates by building, every question's "
        "totals, cross-tabulations, free-text answers and photos.",
        _runs_consultation,
    ),
    ("consultation", "export_results"): Rule(
        "Those who run a survey download its results (.xlsx, .csv); an anonymous survey's "
        "raw answers carry nothing about who gave them.",
        _runs_consultation,
    ),
    ("consultation", "publish"): Rule(
        "Those who run a survey publish its summary and what was decided on the board.",
        _runs_consultation,
    ),
    ("consultation", "view_summary"): Rule(
        "Members of the estate see a survey's published summary and totals (no free text, no "
        "photos, no one's answers); those who run it see it too.",
        lambda a, o: (
            o is not None
            and o.status == "published"
            and (_runs_consultation(a, o) or _is_estate_member(a, o))
        ),
    ),
    # --- the foundation's money: its account, donations, the street dashboard ---------------
    ("foundation_account", "create"): Rule(
        "Foundation officers of a street set up its foundation's account (name, fund).",
        _is_foundation_officer,
    ),
    ("foundation_account", "view_dashboard"): Rule(
        "Foundation officers of a street see its dashboard, its donations and the foundation's "
        "ledger.",
        _is_foundation_officer,
    ),
    ("donation", "record"): Rule(
        "Foundation officers of the street record donations to its foundation.",
        _is_foundation_officer,
    ),
    ("donation", "view"): Rule(
        "Foundation officers of the street see a donation with the donor's name, download its "
        "receipt and send it to the donor.",
        _is_foundation_officer,
    ),
    # --- projects: the road, stages, photos, invited designers --------------------------------
    ("project", "view"): Rule(
        "Members of the estate see its projects (road, sections, photos); a designer or "
        "contractor sees the one project they were invited into, and nothing else.",
        lambda a, o: _sees_project(a, o),
    ),
    ("project", "view_showcase"): Rule(
        "Whoever sees a project sees its showcase; anyone does once the project is finished, "
        "its showcase is shown to the public and the estate's board is public.",
        lambda a, o: _sees_project(a, o) or _showcase_is_public(o),
    ),
    ("project", "create"): Rule(
        "A group leader starts a project for the building they lead; committee staff for any "
        "building or for the whole estate.",
        lambda a, o: _is_estate_staff(a, o) or (o is not None and _leads_building_of(a, o)),
    ),
    ("project", "manage"): Rule(
        "The leader of the project's building and the estate's organisers (committee staff, "
        "owners' committee) edit it, link its fund and assign its stages.",
        lambda a, o: _is_organiser(a, o) or (o is not None and _leads_building_of(a, o)),
    ),
    ("project", "move"): Rule(
        "The leader of the project's building and the estate's organisers move it to the next "
        "stage (the service checks the stage's requirement).",
        lambda a, o: _is_organiser(a, o) or (o is not None and _leads_building_of(a, o)),
    ),
    ("project", "move_back"): Rule(
        "Committee staff move a project back a stage, giving a reason.", _is_estate_staff
    ),
    ("project", "cancel"): Rule(
        "Committee staff cancel a project, giving a reason.", _is_estate_staff
    ),
    ("project", "invite"): Rule(
        "The leader of the project's building and committee staff invite a designer or a "
        "contractor into that one project, and end their part.",
        lambda a, o: _is_estate_staff(a, o) or (o is not None and _leads_building_of(a, o)),
    ),
    ("project", "add_photo"): Rule(
        "The leader of the project's building, committee staff and the designers and "
        "contractors invited into that project add photos to it.",
        lambda a, o: (
            _is_estate_staff(a, o)
            or (o is not None and _leads_building_of(a, o))
            or (o is not None and o.pk is not None and o.pk in a.member_projects)
        ),
    ),
    ("project_photo", "remove"): Rule(
        "Whoever added a photo, the leader of the project's building and committee staff "
        "remove it.",
        lambda a, o: (
            o is not None
            and (
                _is_estate_staff(a, o.project)
                or _leads_building_of(a, o.project)
                or _is_own(a, o, "uploaded_by_id")
            )
        ),
    ),
    ("road", "change"): Rule(
        "Committee staff set the estate's road for new projects (projects under way keep "
        "their own).",
        _is_estate_staff,
    ),
    # --- ideas and comments --------------------------------------------------------------------
    ("idea", "view"): Rule(
        "Members of the estate see its buildings' ideas with their photos and supports; a "
        "hidden idea only its author, the building's group leader and committee staff.",
        lambda a, o: (
            o is not None
            and _is_estate_member(a, o)
            and (o.status != "hidden" or _moderates_building(a, o) or _is_own(a, o, "author_id"))
        ),
    ),
    ("idea", "create"): Rule(
        "Residents of a building, its group leader and committee staff post ideas for it.",
        _takes_part_in_building,
    ),
    ("idea", "support"): Rule(
        "Residents of the idea's building, its group leader and committee staff support it "
        "(once each: the service checks that).",
        _takes_part_in_building,
    ),
    ("idea", "manage"): Rule(
        "The group leader of the idea's building and committee staff merge duplicates and "
        "turn ideas into a project's topics.",
        _moderates_building,
    ),
    ("comment", "view"): Rule(
        "Members of the estate read the comments on its ideas and projects (a hidden comment "
        "shows its reason, never its text); an invited designer or contractor those on their "
        "project.",
        _sees_comment,
    ),
    ("comment", "create"): Rule(
        "Whoever reads the comments of an idea or a project may add one (the service checks "
        "that the idea itself is visible to them).",
        _sees_comment,
    ),
    ("comment", "report"): Rule(
        "Whoever reads a comment may report it to its moderators, except its author.",
        lambda a, o: _sees_comment(a, o) and not _is_own(a, o, "author_id"),
    ),
    ("comment", "moderate"): Rule(
        "The group leader of the comment's building and committee staff hide a comment with "
        "a reason, show it again, or keep it and clear its reports.",
        _moderates_building,
    ),
    ("comment", "review"): Rule(
        "Committee staff and the estate's group leaders open the queue of reported comments "
        "(a leader sees their own buildings' comments only).",
        lambda a, o: _is_estate_staff(a, o) or _leads_a_building_in(a, o),
    ),
    ("topic", "manage"): Rule(
        "The group leader of the project's building and committee staff add, remove and "
        "reorder the project's topics.",
        _moderates_building,
    ),
    # --- meetings ------------------------------------------------------------------------------
    ("meeting", "view"): Rule(
        "Members of the estate see its meetings (agenda, time, place, counts, published minutes "
        "and outcomes); anyone does once the estate's board is public; a designer or "
        "contractor those of their project.",
        lambda a, o: _is_estate_member(a, o) or _board_is_public(o) or _in_meeting_project(a, o),
    ),
    ("meeting", "console"): Rule(
        "Committee staff, the owners' committee and the estate's building-group leaders open "
        "the meetings console (a leader organises their building's group meetings only).",
        lambda a, o: _is_organiser(a, o) or _leads_a_building_in(a, o),
    ),
    ("meeting", "create"): Rule(
        "Committee staff and the owners' committee organise any meeting of the estate; a "
        "group leader an ordinary meeting of the building they lead.",
        lambda a, o: _organises_meeting(a, o),
    ),
    ("meeting", "manage"): Rule(
        "Whoever may organise a meeting edits, cancels and invites to it, records attendance, "
        "writes the minutes and outcomes and publishes them, and sees who came by name.",
        lambda a, o: _organises_meeting(a, o),
    ),
    ("meeting", "respond"): Rule(
        "Signed-in people may answer an invitation; the service finds theirs (or refuses).",
        lambda a, o: a.is_authenticated and o is not None,
    ),
    # --- design, works and acceptance ----------------------------------------------------------
    ("works", "view"): Rule(
        "Whoever sees a project sees its design, vote, quotes, milestones, supervision log, "
        "acceptance and evaluations (a designer or contractor: of their one project only).",
        lambda a, o: _sees_project(a, o),
    ),
    ("works", "design"): Rule(
        "The designer invited into the project, its building's group leader and committee "
        "staff upload plans and design options and say what the works touch; a designer of "
        "another project cannot.",
        lambda a, o: _is_estate_staff(a, o) or _leads_building_of(a, o) or _is_member_of(a, o),
    ),
    ("works", "start_design_vote"): Rule(
        "Committee staff and the owners' committee put the design options to a residents' "
        "vote (they organise the estate's votes).",
        _is_organiser,
    ),
    ("works", "offer_owners_decision"): Rule(
        "Committee staff and the owners' committee draft the owners' decision that works on "
        "the building's common parts need.",
        _is_organiser,
    ),
    ("works", "manage"): Rule(
        "Committee staff and the project's building-group leader record quotes, choose one, "
        "plan the milestones, write the acceptance checklist and choose its representatives.",
        lambda a, o: _is_estate_staff(a, o) or _leads_building_of(a, o),
    ),
    ("works", "complete_milestone"): Rule(
        "Committee staff, the building's group leader and the contractor invited into the "
        "project mark a milestone done, with a photo.",
        lambda a, o: (
            _is_estate_staff(a, o) or _leads_building_of(a, o) or _is_member_of(a, o, "contractor")
        ),
    ),
    ("works", "supervise"): Rule(
        "Residents of the project's building (the volunteers), its group leader and committee "
        "staff write in the supervision log.",
        lambda a, o: _is_estate_staff(a, o) or _leads_building_of(a, o) or _lives_in_scope(a, o),
    ),
    ("works", "record_paper_signature"): Rule(
        "Committee staff record a representative's signature on the paper checklist, with its "
        "photo.",
        _is_estate_staff,
    ),
    ("works", "evaluate"): Rule(
        "Residents of the project's building (of the estate, for an estate-wide project) rate "
        "the result and the process, once each.",
        lambda a, o: _lives_in_scope(a, o),
    ),
    ("acceptance_signer", "sign"): Rule(
        "Only the representative themself signs the acceptance in the app.",
        lambda a, o: o is not None and o.person_id in a.person_ids,
    ),
    # --- conventions ---------------------------------------------------------------------------
    ("convention", "view"): Rule(
        "Members of the estate follow its conventions from the first draft on; anyone reads an "
        "adopted one once the estate's board is public.",
        lambda a, o: _is_estate_member(a, o) or (_convention_adopted(o) and _board_is_public(o)),
    ),
    ("convention", "create"): Rule(
        "Committee staff start a convention for the estate or any building; a group leader for "
        "the building they lead.",
        _drafts_convention,
    ),
    ("convention", "draft"): Rule(
        "Committee staff and the building's group leader edit the clauses, save versions, "
        "moderate comments, see who has read it and withdraw it.",
        _drafts_convention,
    ),
    ("convention", "start_vote"): Rule(
        "Committee staff and the owners' committee, who organise residents' votes, put a "
        "convention to the vote.",
        _is_organiser,
    ),
    ("convention", "comment"): Rule(
        "Residents the convention concerns (its building's; the estate's for an estate-wide "
        "convention or a space's rules) comment on clauses, as do those who draft it.",
        lambda a, o: _lives_under_convention(a, o) or _drafts_convention(a, o),
    ),
    ("convention", "mark_read"): Rule(
        "Residents the convention concerns mark that they have read (accepted) it.",
        _lives_under_convention,
    ),
    ("convention_comment", "hide"): Rule(
        "Committee staff and the building's group leader hide a comment, with a reason.",
        lambda a, o: o is not None and _drafts_convention(a, o.convention),
    ),
    ("convention_comment", "report"): Rule(
        "Members of the estate report a comment that is not their own.",
        lambda a, o: _is_estate_member(a, o) and not _is_own(a, o, "author_id"),
    ),
    # --- shared spaces -------------------------------------------------------------------------
    ("space", "view"): Rule(
        "Members of the estate see its shared spaces, their rules and which slots are taken.",
        _is_estate_member,
    ),
    ("space", "create"): Rule(
        "Committee staff open shared spaces and choose who manages each.", _is_estate_staff
    ),
    ("space", "change"): Rule(
        "Committee staff and the space's manager edit its name, hours and rules (only staff "
        "change the manager: the service checks that).",
        lambda a, o: _is_estate_staff(a, o) or _is_own(a, o, "manager_id"),
    ),
    ("space", "manage"): Rule(
        "Committee staff and the space's manager open its console: allocate spots, end "
        "allocations, see the waiting list and every booking's household.",
        lambda a, o: _is_estate_staff(a, o) or _is_own(a, o, "manager_id"),
    ),
    ("space", "book"): Rule(
        "Residents of the space's estate (of its building, for a building's space) book it; "
        "so do its group leader, its manager and committee staff.",
        lambda a, o: (
            o is not None
            and (
                _is_estate_staff(a, o)
                or _is_own(a, o, "manager_id")
                or _leads_building_of(a, o)
                or (
                    o.estate_id in a.resident_estates
                    and (o.building_id is None or o.building_id in a.resident_buildings)
                )
            )
        ),
    ),
    ("space", "join_waiting"): Rule(
        "Residents who may use the space put their household on its waiting list.",
        lambda a, o: (
            o is not None
            and o.estate_id in a.resident_estates
            and (o.building_id is None or o.building_id in a.resident_buildings)
        ),
    ),
    ("booking", "cancel"): Rule(
        "The person who booked cancels their booking; so do the space's manager and staff.",
        lambda a, o: (
            o is not None
            and (_is_own(a, o, "booked_by_id") or RULES[("space", "manage")].check(a, o.space))
        ),
    ),
    ("waiting_entry", "leave"): Rule(
        "Someone of the waiting household takes it off the list; so do the manager and staff.",
        lambda a, o: (
            o is not None
            and (
                RULES[("space", "manage")].check(a, o.space)
                or (
                    bool(a.person_ids)
                    and Occupancy.objects.current()
                    .filter(person_id__in=a.person_ids, flat_id=o.flat_id)
                    .exists()
                )
            )
        ),
    ),
    # --- talents -------------------------------------------------------------------------------
    ("talent_profile", "list"): Rule(
        "Members of the estate open its talents directory (shown profiles only).",
        _is_estate_member,
    ),
    ("talent_profile", "view"): Rule(
        "Members of the estate see a profile whose person consented to show it (and has not "
        "withdrawn); the person always sees their own.",
        lambda a, o: (
            o is not None
            and (
                _is_own(a, o, "user_id")
                or (
                    o.consent_shown_at is not None
                    and o.withdrawn_at is None
                    and _is_estate_member(a, o)
                )
            )
        ),
    ),
    ("talent_profile", "create"): Rule(
        "Residents of the estate put themselves in its directory; nobody adds someone else.",
        lambda a, o: o is not None and o.estate_id in a.resident_estates,
    ),
    ("talent_profile", "change"): Rule(
        "Only the person edits, withdraws and adds works to their own profile.",
        lambda a, o: _is_own(a, o, "user_id"),
    ),
    ("project_credit", "create"): Rule(
        "The project's group leader and committee staff invite a talent to a project.",
        lambda a, o: (
            o is not None and (_is_estate_staff(a, o.project) or _leads_building_of(a, o.project))
        ),
    ),
    ("project_credit", "answer"): Rule(
        "Only the invited talent accepts or declines.",
        lambda a, o: o is not None and _is_own(a, o.profile, "user_id"),
    ),
}

MODEL_KEYS: dict[type[Model], str] = {
    Street: "street",
    Estate: "estate",
    Building: "building",
    Flat: "flat",
    Person: "person",
    Occupancy: "occupancy",
    Owner: "owner",
    Role: "role",
    AuditEvent: "audit",
    RosterImport: "roster_import",
    Consent: "consent",
    JoinCode: "join_code",
    JoinRequest: "join_request",
    Delegation: "delegation",
    Decision: "decision",
    Fund: "fund",
    Pledge: "pledge",
    Expense: "expense",
    DecisionSettings: "decision_settings",
    Notice: "notice",
    BoardSettings: "board_settings",
    Notification: "notification",
    NotificationPreference: "notification_preference",
}


def _key(model_or_key: type[Model] | Model | str) -> str:
    if isinstance(model_or_key, str):
        return model_or_key
    model = model_or_key if isinstance(model_or_key, type) else type(model_or_key)
    # Newer apps name their key on the model (``permission_key = "meeting"``), so this module
    # needs no import of them.
    return MODEL_KEYS.get(model) or model.permission_key  # type: ignore[attr-defined]


def can(user: Any, action: str, obj: Any = None, *, model: str | None = None) -> bool:
    """May ``user`` do ``action`` to ``obj``? (``model`` names the rule when obj is a place.)"""
    key = model or _key(obj)
    rule = RULES.get((key, action))
    if rule is None:
        raise KeyError(f"no permission rule for {(key, action)!r}")
    return rule.check(actor_for(user), obj)


def require(user: Any, action: str, obj: Any = None, *, model: str | None = None) -> None:
    """Raise PermissionDenied unless ``can()``. The refusal is logged as a security event where
    it reaches the edge (middleware, API), after the refused transaction has rolled back."""
    if not can(user, action, obj, model=model):
        key = model or _key(obj)
        raise PermissionDenied(_("You do not have permission to do this."), f"{key}:{action}")


# --- What an actor may see -------------------------------------------------------------------


def _visible_q(a: Actor, key: str) -> Q | None:
    """A filter for the objects of ``key`` the actor may see; None means all."""
    if key == "consent":  # one's own only, admins included
        return Q(user=a.user) if a.is_authenticated else Q(pk__in=[])
    if key == "notification":  # one's own only, admins included
        return Q(recipient=a.user) if a.is_authenticated else Q(pk__in=[])
    if a.is_admin:
        return None
    if key in ("street", "estate", "building"):
        return None
    if key == "flat":
        return Q(estate_id__in=a.member_estates)
    if key in ("person",):
        return (
            Q(estate_id__in=a.officer_estates)
            | Q(pk__in=a.person_ids)
            | Q(
                occupancies__flat__building_id__in=a.leader_buildings,
                occupancies__ends_on__isnull=True,
            )
        )
    if key in ("occupancy", "owner", "role"):
        return Q(estate_id__in=a.officer_estates)
    if key == "audit":
        return Q(estate_id__in=a.staff_estates)
    if key == "roster_import":
        return Q(estate_id__in=a.staff_estates)
    if key == "join_code":
        return Q(estate_id__in=a.staff_estates)
    if key == "join_request":
        user_q = Q(user=a.user) if a.is_authenticated else Q(pk__in=[])
        return (
            Q(estate_id__in=a.staff_estates) | Q(flat__building_id__in=a.leader_buildings) | user_q
        )
    if key == "fund":
        return (
            Q(estate_id__in=a.member_estates)
            | Q(estate_id__in=_public_board_estates())
            | Q(street_id__in=a.foundation_streets)
        )
    if key in ("pledge", "expense"):
        return (
            Q(estate_id__in=a.organiser_estates) | Q(fund__treasurer=a.user)
            if (a.is_authenticated)
            else Q(pk__in=[])
        )
    if key == "decision":
        return ~Q(status="draft") | Q(estate_id__in=a.organiser_estates)
    if key == "notice":
        readers = Q(estate_id__in=a.member_estates) | Q(estate_id__in=_public_board_estates())
        return (
            (~Q(status=Notice.Status.DRAFT) & readers)
            | Q(estate_id__in=a.organiser_estates)
            | Q(building_id__in=a.leader_buildings)
        )
    if key == "delegation":
        agent_q = Q(agent=a.user) if a.is_authenticated else Q(pk__in=[])
        return Q(estate_id__in=a.staff_estates) | Q(principal_id__in=a.person_ids) | agent_q
    # --- foundation: programmes and applications ---
    if key == "programme":
        return ~Q(status="draft") | Q(street_id__in=a.foundation_streets)
    if key == "application":
        return (
            Q(estate_id__in=a.staff_estates)
            | Q(building_id__in=a.leader_buildings)
            | (Q(estate_id__in=a.member_estates) & ~Q(status="draft"))
            | Q(programme__street_id__in=a.foundation_streets, status__in=FOUNDATION_SEES)
        )
    # --- opinions ---
    if key == "discussion":
        return Q(estate_id__in=a.member_estates) & (
            ~Q(status="draft")
            | Q(estate_id__in=a.staff_estates)
            | Q(building_id__in=a.leader_buildings)
        )
    # --- consultations ---
    if key == "consultation":
        return (
            Q(estate_id__in=a.organiser_estates)
            | Q(building_id__in=a.leader_buildings)
            | (~Q(status="draft") & Q(estate_id__in=a.member_estates))
        )
    if key == "consultation_response":
        return Q(estate_id__in=a.organiser_estates) | Q(
            consultation__building_id__in=a.leader_buildings
        )
    # --- grants ---
    if key in ("grant", "grant_report"):
        return (
            Q(estate_id__in=a.member_estates)
            | Q(estate_id__in=_public_board_estates())
            | Q(estate__street_id__in=a.foundation_streets)
        )
    if key == "reviewer_assignment":
        own = Q(reviewer=a.user) if a.is_authenticated else Q(pk__in=[])
        return own | Q(programme__street_id__in=a.foundation_streets)
    # --- budgeting ---
    if key == "budget_vote":
        return (
            Q(programme__street_id__in=a.foundation_streets)
            | (~Q(status="draft") & Q(programme__street__estates__in=a.member_estates))
            | Q(status="published", programme__street__estates__in=_public_board_estates())
        )
    # --- the foundation's money ---
    if key == "donation":
        return Q(street_id__in=a.foundation_streets)
    # --- projects ---
    if key == "project":
        public = Q(status="finished", showcase_public=True) & Q(
            estate_id__in=_public_board_estates()
        )
        return Q(estate_id__in=a.member_estates) | Q(pk__in=list(a.member_projects)) | public
    # --- ideas and comments ---
    if key == "idea":
        own = Q(author=a.user) if a.is_authenticated else Q(pk__in=[])
        return Q(estate_id__in=a.member_estates) & (
            ~Q(status="hidden")
            | Q(building_id__in=a.leader_buildings)
            | Q(estate_id__in=a.staff_estates)
            | own
        )
    if key == "comment":
        return Q(estate_id__in=a.member_estates) | Q(project_id__in=list(a.member_projects))
    if key == "topic":
        return Q(project__estate_id__in=a.member_estates) | Q(
            project_id__in=list(a.member_projects)
        )
    # --- meetings ---
    if key == "meeting":
        return (
            Q(estate_id__in=a.member_estates)
            | Q(estate_id__in=_public_board_estates())
            | Q(project_id__in=list(a.member_projects))
        )
    # --- design, works and acceptance ---
    # --- conventions ---
    if key == "convention":
        return Q(estate_id__in=a.member_estates) | Q(
            status="adopted", estate_id__in=_public_board_estates()
        )
    if key == "convention_comment":
        return Q(estate_id__in=a.member_estates)
    # --- shared spaces ---
    if key == "space":
        return Q(estate_id__in=a.member_estates)
    if key == "booking":
        return Q(space__estate_id__in=a.member_estates)
    if key in ("allocation", "waiting_entry"):
        own = (
            Q(space__manager=a.user)
            | Q(
                flat__occupancies__person_id__in=a.person_ids,
                flat__occupancies__ends_on__isnull=True,
            )
            if a.is_authenticated
            else Q(pk__in=[])
        )
        return Q(space__estate_id__in=a.staff_estates) | own
    # --- talents ---
    if key in ("talent_profile", "talent_work", "project_credit"):
        prefix = "" if key == "talent_profile" else "profile__"
        shown = Q(
            **{
                f"{prefix}consent_shown_at__isnull": False,
                f"{prefix}withdrawn_at__isnull": True,
                "estate_id__in": a.member_estates,
            }
        )
        own = Q(**{f"{prefix}user": a.user}) if a.is_authenticated else Q(pk__in=[])
        if key == "project_credit":
            return (
                (shown & Q(accepted_at__isnull=False))
                | own
                | Q(estate_id__in=a.staff_estates)
                | Q(project__building_id__in=a.leader_buildings)
            )
        return shown | own
    raise KeyError(f"no visibility rule for {key!r}")


def visible(user: Any, queryset: QuerySet) -> QuerySet:
    """The part of ``queryset`` that ``user`` may see."""
    q = _visible_q(actor_for(user), _key(queryset.model))
    if q is None:
        return queryset
    return queryset.filter(q).distinct()


def get_visible_or_404(user: Any, queryset: QuerySet, **lookup: Any) -> Model:
    """Load one object the user may see; missing and hidden give the same 404."""
    try:
        return visible(user, queryset).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, OverflowError) as exc:  # ids too big: 404
        raise Http404 from exc
