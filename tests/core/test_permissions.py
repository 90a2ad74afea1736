"""The permission matrix: every rule, every page and every list, for every role of ``world``.

Three tables, each checked for completeness against the code, so a new rule or a new URL
without a row fails the suite:

* ``RULE_TABLE``: ``permissions.can()`` for each rule × own/other building × own/other estate;
* ``URL_MATRIX``: each named URL requested by each of the 11 roles, with the status it must get
  and, for writes, proof that refused requests wrote nothing;
* ``VISIBLE``: which rows of ``world`` each role sees through ``permissions.visible()``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from linju.accounts.models import Consent, PhoneCode
from linju.community.models import (
    Building,
    Estate,
    Flat,
    Occupancy,
    Owner,
    Person,
    Role,
    RosterImport,
)
from linju.core import audit, permissions
from linju.core.models import AuditEvent
from linju.decisions.models import (
    Ballot,
    BallotLink,
    Decision,
    DecisionSettings,
    NoticeDelivery,
    PaperEntry,
    RollAmendment,
    RollEntry,
)
from linju.funding.models import Expense, Fund, LedgerEntry, Pledge
from linju.membership.models import Delegation, JoinCode, JoinRequest, SlipPrint
from linju.notices.models import BoardSettings, Notice, NoticeAttachment
from linju.notifications.models import Notification, NotificationPreference
from tests.community.roster import helpers as roster
from tests.conftest import World
from tests.consultations import permission_rows as consultations_matrix
from tests.consultations import results_matrix as consultation_results_matrix
from tests.decisions.factories import DecisionFactory, owned_by
from tests.factories import (
    BuildingFactory,
    DelegationFactory,
    JoinRequestFactory,
    OccupancyFactory,
    PersonFactory,
    UserFactory,
)
from tests.notices.factories import NoticeFactory, png, public_board
from tests.notifications.factories import NotificationFactory
from tests.spaces import matrix as spaces_matrix
from tests.talents import matrix as talents_matrix

ROLES = World.ROLES
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
# Residents' committee staff of ``here`` and platform admins run the console.
MANAGERS_HERE = frozenset({"staff", "admin"})
MANAGERS_THERE = frozenset({"staff_other_estate", "admin"})
# Officers see the directory (flats, people) without managing it.
OFFICERS_HERE = MANAGERS_HERE | {"owners_committee", "property"}
# Members of ``here``: they live there, lead a building group there or are officers there.
MEMBERS_HERE = OFFICERS_HERE | {"resident", "leader", "leader_other_building"}
# Votes are organised by residents' committee staff and the owners' committee, not the
# property company (owners may vote to dismiss it).
ORGANISERS_HERE = MANAGERS_HERE | {"owners_committee"}
NOBODY: frozenset[str] = frozenset()


# --- Objects the rules are asked about ------------------------------------------------------

OBJECTS: dict[str, Callable[[World], Any]] = {
    "none": lambda w: None,
    "here": lambda w: w.here,
    "there": lambda w: w.there,
    "b1": lambda w: w.b1,
    "b2": lambda w: w.b2,
    "b_there": lambda w: w.b_there,
    "new_building_here": lambda w: Building(estate=w.here),
    "new_building_there": lambda w: Building(estate=w.there),
    "flat1": lambda w: w.flat1,
    "flat2": lambda w: w.flat2,
    "flat_there": lambda w: w.flat_there,
    "new_flat_here": lambda w: Flat(estate_id=w.here.pk),
    "new_flat_there": lambda w: Flat(estate_id=w.there.pk),
    "person1": lambda w: w.person1,
    "person2": lambda w: w.person2,
    "person_there": lambda w: w.person_there,
    "new_person_here": lambda w: Person(estate=w.here),
    "new_person_there": lambda w: Person(estate=w.there),
    "new_occupancy_here": lambda w: Occupancy(estate_id=w.here.pk),
    "new_occupancy_there": lambda w: Occupancy(estate_id=w.there.pk),
    "occupancy1": lambda w: w.occupancy1,
    "occupancy2": lambda w: w.occupancy2,
    "occupancy_there": lambda w: w.occupancy_there,
    "owner_here": lambda w: Owner(estate=w.here),
    "owner_there": lambda w: Owner(estate=w.there),
    "role_here": lambda w: w.role_here,
    "role_there": lambda w: w.role_there,
    "new_staff_role_here": lambda w: Role(kind=Role.Kind.COMMITTEE_STAFF, estate=w.here),
    "new_leader_role_b1": lambda w: Role(kind=Role.Kind.GROUP_LEADER, estate=w.here, building=w.b1),
    "new_staff_role_there": lambda w: Role(kind=Role.Kind.COMMITTEE_STAFF, estate=w.there),
    # Staff may not hand out roles above their estate, even when "in" their estate.
    "new_foundation_role_here": lambda w: Role(
        kind=Role.Kind.FOUNDATION_OFFICER, estate=w.here, street=w.here.street
    ),
    "new_admin_role": lambda w: Role(kind=Role.Kind.PLATFORM_ADMIN),
    "new_admin_role_here": lambda w: Role(kind=Role.Kind.PLATFORM_ADMIN, estate=w.here),
    "notification_of_resident": lambda w: NotificationFactory(recipient=w.users["resident"]),
    "notification_of_admin": lambda w: NotificationFactory(recipient=w.users["admin"]),
    "preferences_of_resident": lambda w: NotificationPreference(user=w.users["resident"]),
    "preferences_of_staff": lambda w: NotificationPreference(user=w.users["staff"]),
    "account_of_resident": lambda w: w.users["resident"],
    "account_of_staff": lambda w: w.users["staff"],
    "consent_of_resident": lambda w: Consent(user=w.users["resident"]),
    "consent_of_admin": lambda w: Consent(user=w.users["admin"]),
    # Join requests made by the outsider (and one by the leader of building 1); authorisations
    # given by the resident (an owner) and by the person of ``there``, both to the outsider.
    "request_flat1": lambda w: JoinRequest(estate=w.here, flat=w.flat1, user=w.users["outsider"]),
    "request_flat2": lambda w: JoinRequest(estate=w.here, flat=w.flat2, user=w.users["outsider"]),
    "request_there": lambda w: JoinRequest(
        estate=w.there, flat=w.flat_there, user=w.users["outsider"]
    ),
    "request_flat1_by_leader": lambda w: JoinRequest(
        estate=w.here, flat=w.flat1, user=w.users["leader"]
    ),
    "delegation_here": lambda w: Delegation(
        estate=w.here, principal=w.person1, agent=w.users["outsider"]
    ),
    "delegation_there": lambda w: Delegation(
        estate=w.there, principal=w.person_there, agent=w.users["outsider"]
    ),
    "new_delegation_person1": lambda w: Delegation(estate=w.here, principal=w.person1),
    "new_delegation_person2": lambda w: Delegation(estate=w.here, principal=w.person2),
    "new_delegation_there": lambda w: Delegation(estate=w.there, principal=w.person_there),
    "new_decision_here": lambda w: Decision(estate=w.here),
    "new_decision_there": lambda w: Decision(estate=w.there),
    "draft_here": lambda w: Decision(estate=w.here, status=Decision.Status.DRAFT),
    "draft_there": lambda w: Decision(estate=w.there, status=Decision.Status.DRAFT),
    "announced_here": lambda w: Decision(estate=w.here, status=Decision.Status.ANNOUNCED),
    "announced_there": lambda w: Decision(estate=w.there, status=Decision.Status.ANNOUNCED),
    "decision_settings_here": lambda w: DecisionSettings(estate=w.here),
    "decision_settings_there": lambda w: DecisionSettings(estate=w.there),
    # decisions: printing, exports, paper entry (the resident owns 1-101, on the roll here)
    "record_open_here": lambda w: _decision(w, "open"),
    "record_closed_here": lambda w: _decision(w, "closed"),
    "record_published_here": lambda w: _decision(w, "published"),
    "record_published_there": lambda w: DecisionFactory(estate=w.there, state="published"),
    # notices: drafts and published notices of the whole estate and of building 1
    "notice_draft_here": lambda w: Notice(estate=w.here, status="draft"),
    "notice_draft_b1": lambda w: Notice(estate=w.here, building=w.b1, status="draft"),
    "notice_here": lambda w: Notice(estate=w.here, status="published"),
    "notice_b1": lambda w: Notice(estate=w.here, building=w.b1, status="published"),
    "notice_there": lambda w: Notice(estate=w.there, status="published"),
    "public_here": lambda w: public_board(w.here).estate,
    "notice_public_here": lambda w: Notice(estate=public_board(w.here).estate, status="published"),
    "board_settings_here": lambda w: BoardSettings(estate=w.here),
    "board_settings_there": lambda w: BoardSettings(estate=w.there),
    # funding: the resident keeps the accounts of building 1's fund and of the estate's
    "fund_b1": lambda w: Fund(estate=w.here, building=w.b1, treasurer=w.users["resident"]),
    "fund_here": lambda w: Fund(estate=w.here, treasurer=w.users["resident"]),
    "fund_there": lambda w: Fund(estate=w.there, treasurer=w.users["staff_other_estate"]),
    "fund_public_here": lambda w: Fund(estate=public_board(w.here).estate),
    "expense_b1": lambda w: Expense(estate=w.here, fund=OBJECTS["fund_b1"](w)),
    "expense_here": lambda w: Expense(estate=w.here, fund=OBJECTS["fund_here"](w)),
    "expense_there": lambda w: Expense(estate=w.there, fund=OBJECTS["fund_there"](w)),
    "pledge_of_resident": lambda w: Pledge(estate=w.here, made_by=w.users["resident"]),
    "pledge_of_outsider": lambda w: Pledge(estate=w.there, made_by=w.users["outsider"]),
}

# (model, action, object, the roles allowed). Every other role of World.ROLES is denied.
RULE_TABLE: list[tuple[str, str, str, frozenset[str]]] = [
    ("street", "create", "none", frozenset({"admin"})),
    ("estate", "create", "none", frozenset({"admin"})),
    ("estate", "view", "here", EVERYONE),
    ("estate", "view", "there", EVERYONE),
    ("estate", "manage", "here", MANAGERS_HERE),
    ("estate", "manage", "there", MANAGERS_THERE),
    ("estate", "view_directory", "here", OFFICERS_HERE),
    ("estate", "view_directory", "there", MANAGERS_THERE),
    ("building", "view", "b1", EVERYONE),
    ("building", "view", "b_there", EVERYONE),
    ("building", "view_flats", "b1", MEMBERS_HERE),
    ("building", "view_flats", "b2", MEMBERS_HERE),
    ("building", "view_flats", "b_there", MANAGERS_THERE),
    ("building", "change", "b1", MANAGERS_HERE),
    ("building", "change", "b_there", MANAGERS_THERE),
    ("building", "create", "new_building_here", MANAGERS_HERE),
    ("building", "create", "new_building_there", MANAGERS_THERE),
    ("flat", "view", "flat1", MEMBERS_HERE),
    ("flat", "view", "flat2", MEMBERS_HERE),
    ("flat", "view", "flat_there", MANAGERS_THERE),
    ("flat", "change", "flat1", MANAGERS_HERE),
    ("flat", "change", "flat_there", MANAGERS_THERE),
    ("flat", "create", "new_flat_here", MANAGERS_HERE),
    ("flat", "create", "new_flat_there", MANAGERS_THERE),
    # The resident is person1 (flat1, building 1); the leader leads building 1.
    ("person", "view", "person1", OFFICERS_HERE | {"resident", "leader"}),
    ("person", "view", "person2", OFFICERS_HERE | {"leader_other_building"}),
    ("person", "view", "person_there", MANAGERS_THERE),
    ("person", "view_phone", "person1", MANAGERS_HERE | {"resident"}),
    ("person", "view_phone", "person2", MANAGERS_HERE),
    ("person", "view_phone", "person_there", MANAGERS_THERE),
    ("person", "change", "person1", MANAGERS_HERE),
    ("person", "change", "person_there", MANAGERS_THERE),
    ("person", "create", "new_person_here", MANAGERS_HERE),
    ("person", "create", "new_person_there", MANAGERS_THERE),
    ("occupancy", "create", "new_occupancy_here", MANAGERS_HERE),
    ("occupancy", "create", "new_occupancy_there", MANAGERS_THERE),
    ("occupancy", "end", "occupancy1", MANAGERS_HERE),
    ("occupancy", "end", "occupancy2", MANAGERS_HERE),
    ("occupancy", "end", "occupancy_there", MANAGERS_THERE),
    ("owner", "change", "owner_here", MANAGERS_HERE),
    ("owner", "change", "owner_there", MANAGERS_THERE),
    ("role", "assign", "new_staff_role_here", MANAGERS_HERE),
    ("role", "assign", "new_leader_role_b1", MANAGERS_HERE),
    ("role", "assign", "new_staff_role_there", MANAGERS_THERE),
    ("role", "assign", "new_foundation_role_here", frozenset({"admin"})),
    ("role", "assign", "new_admin_role", frozenset({"admin"})),
    ("role", "assign", "new_admin_role_here", frozenset({"admin"})),
    ("role", "end", "role_here", MANAGERS_HERE),
    ("role", "end", "role_there", MANAGERS_THERE),
    ("role", "end", "new_foundation_role_here", frozenset({"admin"})),
    ("audit", "view", "here", MANAGERS_HERE),
    ("audit", "view", "there", MANAGERS_THERE),
    ("estate", "import_roster", "here", MANAGERS_HERE),
    ("estate", "import_roster", "there", MANAGERS_THERE),
    ("estate", "export_roster", "here", MANAGERS_HERE),
    ("estate", "export_roster", "there", MANAGERS_THERE),
    ("home", "view", "none", SIGNED_IN),
    # One's own notifications and preferences only: not even platform admins see others'.
    ("notification", "view", "notification_of_resident", frozenset({"resident"})),
    ("notification", "view", "notification_of_admin", frozenset({"admin"})),
    ("notification_preference", "change", "preferences_of_resident", frozenset({"resident"})),
    ("notification_preference", "change", "preferences_of_staff", frozenset({"staff"})),
    # One's own account and consents only: not even staff or admins act for someone here.
    ("account", "change", "account_of_resident", frozenset({"resident"})),
    ("account", "change", "account_of_staff", frozenset({"staff"})),
    ("account", "export_data", "account_of_resident", frozenset({"resident"})),
    ("account", "export_data", "account_of_staff", frozenset({"staff"})),
    ("account", "delete", "account_of_resident", frozenset({"resident"})),
    ("account", "delete", "account_of_staff", frozenset({"staff"})),
    ("consent", "manage", "consent_of_resident", frozenset({"resident"})),
    ("consent", "manage", "consent_of_admin", frozenset({"admin"})),
    # Join codes are the estate's staff's; join requests are decided by staff or the flat's
    # group leader, never by the person who asked; authorisations by the owner or staff.
    ("join_code", "view", "flat1", MANAGERS_HERE),
    ("join_code", "view", "flat_there", MANAGERS_THERE),
    ("join_code", "create", "here", MANAGERS_HERE),
    ("join_code", "create", "b1", MANAGERS_HERE),
    ("join_code", "create", "there", MANAGERS_THERE),
    ("join_code", "rotate", "flat1", MANAGERS_HERE),
    ("join_code", "rotate", "flat_there", MANAGERS_THERE),
    ("join_code", "print", "here", MANAGERS_HERE),
    ("join_code", "print", "b2", MANAGERS_HERE),
    ("join_code", "print", "there", MANAGERS_THERE),
    ("join_request", "create", "none", SIGNED_IN),
    ("join_request", "list", "here", MANAGERS_HERE | {"leader", "leader_other_building"}),
    ("join_request", "list", "there", MANAGERS_THERE),
    ("join_request", "view", "request_flat1", MANAGERS_HERE | {"leader", "outsider"}),
    (
        "join_request",
        "view",
        "request_flat2",
        MANAGERS_HERE | {"leader_other_building", "outsider"},
    ),
    ("join_request", "view", "request_there", MANAGERS_THERE | {"outsider"}),
    ("join_request", "decide", "request_flat1", MANAGERS_HERE | {"leader"}),
    ("join_request", "decide", "request_flat2", MANAGERS_HERE | {"leader_other_building"}),
    ("join_request", "decide", "request_there", MANAGERS_THERE),
    ("join_request", "decide", "request_flat1_by_leader", MANAGERS_HERE),
    ("join_request", "withdraw", "request_flat1", frozenset({"outsider"})),
    ("join_request", "withdraw", "request_flat1_by_leader", frozenset({"leader"})),
    ("delegation", "view", "delegation_here", MANAGERS_HERE | {"resident", "outsider"}),
    ("delegation", "view", "delegation_there", MANAGERS_THERE | {"outsider"}),
    ("delegation", "grant", "new_delegation_person1", MANAGERS_HERE | {"resident"}),
    ("delegation", "grant", "new_delegation_person2", MANAGERS_HERE),
    ("delegation", "grant", "new_delegation_there", MANAGERS_THERE),
    ("delegation", "revoke", "delegation_here", MANAGERS_HERE | {"resident", "outsider"}),
    ("delegation", "revoke", "delegation_there", MANAGERS_THERE | {"outsider"}),
    # Decisions: organisers draft and run them; announced ones are public (居务公开), drafts
    # are the organisers'; anyone signed in may try to vote (the roll decides).
    ("decision", "create", "new_decision_here", ORGANISERS_HERE),
    ("decision", "create", "new_decision_there", MANAGERS_THERE),
    ("decision", "view", "draft_here", ORGANISERS_HERE),
    ("decision", "view", "draft_there", MANAGERS_THERE),
    ("decision", "view", "announced_here", EVERYONE),
    ("decision", "view", "announced_there", EVERYONE),
    ("decision", "manage", "announced_here", ORGANISERS_HERE),
    ("decision", "manage", "announced_there", MANAGERS_THERE),
    ("decision", "enter_paper", "announced_here", ORGANISERS_HERE),
    ("decision", "enter_paper", "announced_there", MANAGERS_THERE),
    ("decision", "view_voters", "announced_here", ORGANISERS_HERE),
    ("decision", "view_voters", "announced_there", MANAGERS_THERE),
    ("decision", "vote", "announced_here", SIGNED_IN),
    ("decision", "vote", "announced_there", SIGNED_IN),
    ("decision_settings", "change", "decision_settings_here", MANAGERS_HERE),
    ("decision_settings", "change", "decision_settings_there", MANAGERS_THERE),
    # decisions: printing, exports, paper entry. The record: organisers once voting has
    # closed, owners on the roll (the resident) once the results are published.
    ("decision", "export_record", "record_open_here", NOBODY),
    ("decision", "export_record", "record_closed_here", ORGANISERS_HERE),
    ("decision", "export_record", "record_published_here", ORGANISERS_HERE | {"resident"}),
    ("decision", "export_record", "record_published_there", MANAGERS_THERE),
    # notices: members read the board (everyone once the estate makes it public); committee
    # staff and the owners' committee post for the estate, a group leader for their building.
    ("board", "view", "here", MEMBERS_HERE),
    ("board", "view", "there", MANAGERS_THERE),
    ("board", "view", "public_here", EVERYONE),
    ("board", "manage", "here", ORGANISERS_HERE | {"leader", "leader_other_building"}),
    ("board", "manage", "there", MANAGERS_THERE),
    ("notice", "view", "notice_draft_here", ORGANISERS_HERE),
    ("notice", "view", "notice_draft_b1", ORGANISERS_HERE | {"leader"}),
    ("notice", "view", "notice_here", MEMBERS_HERE),
    ("notice", "view", "notice_there", MANAGERS_THERE),
    ("notice", "view", "notice_public_here", EVERYONE),
    ("notice", "create", "notice_draft_here", ORGANISERS_HERE),
    ("notice", "create", "notice_draft_b1", ORGANISERS_HERE | {"leader"}),
    ("notice", "create", "notice_there", MANAGERS_THERE),
    ("notice", "manage", "notice_here", ORGANISERS_HERE),
    ("notice", "manage", "notice_b1", ORGANISERS_HERE | {"leader"}),
    ("notice", "manage", "notice_there", MANAGERS_THERE),
    ("notice", "view_readers", "notice_here", ORGANISERS_HERE),
    ("notice", "view_readers", "notice_b1", ORGANISERS_HERE | {"leader"}),
    ("notice", "view_readers", "notice_there", MANAGERS_THERE),
    ("board_settings", "change", "board_settings_here", MANAGERS_HERE),
    ("board_settings", "change", "board_settings_there", MANAGERS_THERE),
    # funding: members see funds (everyone once the board is public); staff open them, a
    # group leader for their building; residents pledge; the treasurer and staff record; a
    # second person approves expenses, the building's group leader too above the limit.
    ("fund", "view", "fund_b1", MEMBERS_HERE),
    ("fund", "view", "fund_there", MANAGERS_THERE),
    ("fund", "view", "fund_public_here", EVERYONE),
    ("fund", "create", "fund_here", MANAGERS_HERE),
    ("fund", "create", "fund_b1", MANAGERS_HERE | {"leader"}),
    ("fund", "create", "fund_there", MANAGERS_THERE),
    ("fund", "pledge", "fund_b1", frozenset({"resident", "admin"})),
    ("fund", "pledge", "fund_there", frozenset({"admin"})),
    ("fund", "record", "fund_b1", MANAGERS_HERE | {"resident"}),
    ("fund", "record", "fund_there", MANAGERS_THERE),
    ("expense", "approve", "expense_b1", ORGANISERS_HERE | {"leader"}),
    ("expense", "approve", "expense_here", ORGANISERS_HERE),
    ("expense", "approve", "expense_there", MANAGERS_THERE),
    ("expense", "approve_as_leader", "expense_b1", frozenset({"leader"})),
    ("expense", "approve_as_leader", "expense_here", NOBODY),
    ("pledge", "withdraw", "pledge_of_resident", frozenset({"resident"})),
    ("pledge", "withdraw", "pledge_of_outsider", frozenset({"outsider"})),
]

# design, works and acceptance: the rows live with the app's tests
from tests.works import permission_rows as works_rows  # noqa: E402

WORKS_ROLES = {
    "everyone": EVERYONE,
    "members": MEMBERS_HERE,
    "managers": MANAGERS_HERE,
    "organisers": ORGANISERS_HERE,
    "managers_there": MANAGERS_THERE,
}
OBJECTS.update(works_rows.OBJECTS)
RULE_TABLE += works_rows.rule_rows(WORKS_ROLES)

# conventions: the rows live with the app's tests
from tests.conventions import permission_rows as conventions_rows  # noqa: E402

OBJECTS.update(conventions_rows.OBJECTS)
RULE_TABLE += conventions_rows.rule_rows(WORKS_ROLES)

# meetings: the rows live with the app's tests
from tests.meetings import permission_rows as meetings_rows  # noqa: E402

OBJECTS.update(meetings_rows.OBJECTS)
RULE_TABLE += meetings_rows.rule_rows(WORKS_ROLES)

# ideas, comments and topics: the rows live with the app's tests
from tests.ideas import permission_rows as ideas_rows  # noqa: E402

OBJECTS.update(ideas_rows.OBJECTS)
RULE_TABLE += ideas_rows.rule_rows(WORKS_ROLES)

# projects: the rows live with the app's tests
from tests.projects import permission_rows as projects_rows  # noqa: E402

OBJECTS.update(projects_rows.OBJECTS)
RULE_TABLE += projects_rows.rule_rows(WORKS_ROLES)

# opinion maps: the rows live with the app's tests
from tests.opinions import permission_rows as opinions_rows  # noqa: E402

OBJECTS.update(opinions_rows.OBJECTS)
RULE_TABLE += opinions_rows.rule_rows(WORKS_ROLES)

# participatory budgeting: the rows live with the app's tests
from tests.budgeting import permission_rows as budgeting_rows  # noqa: E402

OBJECTS.update(budgeting_rows.OBJECTS)
RULE_TABLE += budgeting_rows.rule_rows(WORKS_ROLES)

# grant review, decisions, payments and reports: the rows live with the app's tests
from tests.grants import permission_rows as grants_rows  # noqa: E402

OBJECTS.update(grants_rows.OBJECTS)
RULE_TABLE += grants_rows.rule_rows(WORKS_ROLES)

# Apps that keep their rows next to their tests.
for _app_rows in (
    spaces_matrix,
    talents_matrix,
    consultations_matrix,
    consultation_results_matrix,
):
    OBJECTS.update(_app_rows.OBJECTS)
    RULE_TABLE.extend(_app_rows.RULE_ROWS)

# the foundation's programmes and applications: the rows live with the app's tests
from tests.foundation import permission_rows as foundation_rows  # noqa: E402

OBJECTS.update(foundation_rows.OBJECTS)
RULE_TABLE.extend(foundation_rows.RULE_ROWS)

# the foundation's money: the rows live with the app's tests
from tests.donations import permission_rows as donations_rows  # noqa: E402

OBJECTS.update(donations_rows.OBJECTS)
RULE_TABLE.extend(donations_rows.RULE_ROWS)


def test_rule_table_covers_every_rule():
    """A rule added to permissions.RULES without a row in RULE_TABLE fails here."""
    covered = {(model, action) for model, action, _obj, _allowed in RULE_TABLE}
    assert set(permissions.RULES) - covered == set()
    assert covered - set(permissions.RULES) == set(), "RULE_TABLE names a rule that is gone"


def test_rule_table_names_only_known_roles_and_objects():
    for _model, _action, obj, allowed in RULE_TABLE:
        assert obj in OBJECTS
        assert allowed <= EVERYONE


@pytest.mark.parametrize(
    ("model", "action", "obj", "allowed"),
    RULE_TABLE,
    ids=[f"{m}.{a}-{o}" for m, a, o, _ in RULE_TABLE],
)
def test_rule(world, model, action, obj, allowed):
    """Exactly the listed roles may do ``action``; every other role is refused."""
    target = OBJECTS[obj](world)
    wrong = {}
    for role in ROLES:
        got = permissions.can(world.user(role), action, target, model=model)
        if got != (role in allowed):
            wrong[role] = "allowed" if got else "denied"
    assert wrong == {}


def test_require_refuses_with_permission_denied(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        permissions.require(world.user("property"), "change", world.flat1)
    permissions.require(world.user("staff"), "change", world.flat1)


def test_unknown_rule_is_an_error_not_a_silent_allow(world):
    with pytest.raises(KeyError):
        permissions.can(world.user("admin"), "launch", world.flat1)


def test_ended_role_grants_nothing(world):
    """A role that has ended no longer opens the console."""
    from tests.factories import RoleFactory, UserFactory

    former = UserFactory(username="former_staff")
    RoleFactory(user=former, estate=world.here, ended=True)
    assert not permissions.can(former, "manage", world.here)
    assert not permissions.can(former, "view_directory", world.here)


def test_superuser_flag_makes_a_platform_admin(world):
    from tests.factories import UserFactory

    root = UserFactory(username="root", is_superuser=True)
    assert permissions.can(root, "create", model="estate")
    assert permissions.can(root, "manage", world.there)


# --- URL matrix -----------------------------------------------------------------------------


def expect(
    status: int | set[int],
    allowed: frozenset[str],
    *,
    denied: int | set[int] = 404,
    anonymous: int | set[int] = 302,
) -> dict[str, int | set[int]]:
    """Status per role: ``status`` for the allowed roles, ``anonymous`` for the anonymous visitor
    (302 = to the sign-in page) and ``denied`` for everyone else."""
    table: dict[str, int | set[int]] = {}
    for role in ROLES:
        if role in allowed:
            table[role] = status
        elif role == "anonymous":
            table[role] = anonymous
        else:
            table[role] = denied
    return table


def _flat(w: World) -> Any:
    flat = Flat.objects.get(pk=w.flat1.pk)
    return (flat.floor, flat.area)


def _with_unread_notification(w: World) -> list[Any]:
    """No URL arguments; the resident has one unread notification to mark."""
    NotificationFactory(recipient=w.users["resident"])
    return []


def _code_of_flat1(w: World) -> str:
    code, _created = JoinCode.objects.get_or_create(
        flat=w.flat1, is_active=True, defaults={"estate": w.here, "code": "MTRX2345"}
    )
    return code.code


def _outsiders_request(w: World) -> JoinRequest:
    """The outsider asks to join flat 1-101 (building 1: staff and its leader decide)."""
    return JoinRequestFactory(flat=w.flat1, user=w.users["outsider"])


def _with_household_member(w: World) -> list[Any]:
    """No URL arguments; the resident (owner of 1-101) has a son with an account there."""
    son = PersonFactory(estate=w.here, full_name="李儿子", user=UserFactory(username="son"))
    OccupancyFactory(flat=w.flat1, person=son, relation="family")
    return []


def _in_a_month() -> str:
    import datetime

    from django.utils import timezone

    return (timezone.localdate() + datetime.timedelta(days=30)).isoformat()


def _done_slip_print(w: World, estate: Estate) -> SlipPrint:
    return SlipPrint.objects.create(
        estate=estate, status="done", site_url="http://testserver/", pdf=b"%PDF-1.7"
    )


def _decision(w: World, state: str = "draft", **values: Any) -> Decision:
    """A vote on building 1 of ``here``, whose flat 1-101 the resident owns (and votes for)."""
    if w.flat1.owner_id is None:
        owned_by(w.flat1, w.person1)
    return DecisionFactory(estate=w.here, state=state, buildings=[w.b1], **values)


def _receipt(w: World) -> list[Any]:
    decision = _decision(w, "open", ballots={w.users["resident"]: "agree"})
    return ["here", decision.pk, Ballot.objects.get(decision=decision).receipt]


def _ballot_link(w: World) -> list[Any]:
    """A one-tap link of the resident's: it works for whoever opens it (each request is
    rolled back, so each role opens it afresh) and signs the resident in."""
    from django.core import signing

    from linju.decisions.services.common import LINK_SALT

    decision = _decision(w, "open")
    link = BallotLink.objects.get(decision=decision, user=w.users["resident"])
    return [signing.dumps({"n": link.nonce}, salt=LINK_SALT, compress=True)]


def _draft_data(w: World) -> dict[str, Any]:
    import datetime

    from django.utils import timezone

    opens = timezone.localtime() + datetime.timedelta(days=20)
    return {
        "kind": "owners",
        "title": "一号楼大堂改造",
        "matter": "7",
        "buildings": [w.b1.pk],
        "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (opens + datetime.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "revote": "last",
    }


# decisions: printing, exports, paper entry
def _photo_upload() -> SimpleUploadedFile:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="PNG")
    return SimpleUploadedFile("ballot.png", out.getvalue())


def _paper_reading(w: World) -> list[Any]:
    """An open vote with staff's first reading of the resident's paper ballot."""
    from linju.decisions import services

    decision = _decision(w, "open")
    reading = services.paper_ballot_enter(
        actor=w.users["staff"],
        decision=decision,
        entry=RollEntry.objects.get(decision=decision, flats__label="1-101"),
        channel="paper",
        choice="agree",
        document=_photo_upload(),
    )
    return ["here", decision.pk, reading.pk]


# notices
def _notice(w: World, state: str = "published", **values: Any) -> Notice:
    """A notice of ``here`` (of building 1 with ``building=w.b1``) in ``state``."""
    return NoticeFactory(estate=w.here, **({} if state == "draft" else {state: True}), **values)


def _notice_with_file(w: World, state: str = "published") -> list[Any]:
    """A notice of building 1 with a photo: its estate, its id and the file's id."""
    notice = _notice(w, state, building=w.b1)
    attachment = NoticeAttachment.objects.create(
        estate=w.here, notice=notice, kind="png", original_name="photo.png", file=png()
    )
    return ["here", notice.pk, attachment.pk]


NOTICE_POSTERS = ORGANISERS_HERE | {"leader", "leader_other_building"}
B1_POSTERS = ORGANISERS_HERE | {"leader"}
DECIDERS_FLAT1 = MANAGERS_HERE | {"leader"}
JOIN_REQUEST_LISTERS = MANAGERS_HERE | {"leader", "leader_other_building"}


# funding: building 1's fund, kept by the resident; every helper makes it afresh per role
def _fund(w: World, money: str = "") -> Fund:
    """Building 1's fund (treasurer: the resident), with ``money`` received if given."""
    from linju.funding import services

    fund = Fund.objects.filter(estate=w.here, building=w.b1).first() or services.fund_create(
        actor=w.users["staff"],
        estate=w.here,
        building=w.b1,
        title="1号楼 楼道微更新",
        target="5000",
        treasurer=w.users["resident"],
    )
    if money:
        services.contribution_record(
            actor=w.users["resident"], fund=fund, amount=money, method="cash"
        )
    return fund


def _fund_args(w: World, money: str = "") -> list[Any]:
    return ["here", _fund(w, money).pk]


def _fund_entry(w: World) -> list[Any]:
    fund = _fund(w, "100")
    return ["here", fund.pk, LedgerEntry.objects.filter(fund=fund).latest("seq").pk]


def _with_materials(w: World) -> list[Any]:
    from linju.funding import services

    fund = _fund(w)
    services.material_receive(actor=w.users["resident"], fund=fund, description="瓷砖", value="50")
    return ["here", fund.pk]


def _waiting_expense(w: World) -> Any:
    """A ¥60 expense of building 1's fund recorded by its treasurer (the resident)."""
    from linju.funding import services

    return services.expense_record(
        actor=w.users["resident"],
        fund=_fund(w, "100"),
        payee="五金店",
        amount="60",
        category="materials",
        receipt=_photo_upload(),
    )


def _posted_receipt(w: World) -> list[Any]:
    from linju.funding import services

    expense = services.expense_approve(actor=w.users["staff"], expense=_waiting_expense(w))
    return ["here", expense.fund_id, expense.pk]


def _stored_report(w: World) -> list[Any]:
    """A monthly disclosure report of ``here`` with small stand-in files (the PDF and .xlsx
    themselves are tested in tests/funding/test_reports.py)."""
    import datetime

    from django.core.files.base import ContentFile

    from linju.funding.models import DisclosureReport

    report = DisclosureReport(
        estate=w.here,
        period="month",
        starts_on=datetime.date(2026, 10, 1),
        ends_on=datetime.date(2026, 10, 31),
        period_count=0,
        period_hash="0" * 64,
        chain_count=0,
        chain_hash="0" * 64,
    )
    for field in ("pdf", "xlsx", "public_pdf", "public_xlsx"):
        getattr(report, field).save(f"{field}.bin", ContentFile(b"%PDF-1.7"), save=False)
    report.save()
    return ["here", report.pk, "pdf"]


def _pledge_photo(w: World) -> list[Any]:
    from linju.funding import services

    pledge = services.pledge_create(
        actor=w.users["resident"],
        fund=_fund(w),
        kind="material",
        description="大理石",
        photo=_photo_upload(),
    )
    return ["here", pledge.fund_id, pledge.pk]


def _expense_statuses(w: World) -> list[Any]:
    return list(Expense.objects.values_list("status", flat=True))


KEEPERS_B1 = MANAGERS_HERE | {"resident"}  # the treasurer and committee staff
APPROVERS_B1 = ORGANISERS_HERE | {"leader"}
FUND_CONSOLE = APPROVERS_B1 | {"resident", "leader_other_building"}
PLEDGERS = frozenset({"resident", "admin"})


# Refusals by officers who may see an object but not change it are 403 (they know it exists);
# everyone else gets the same 404 as for a missing page.
CHANGE_HERE = {**expect(302, MANAGERS_HERE), "owners_committee": 403, "property": 403}
POST_ONLY = expect(405, SIGNED_IN)
# These answer everyone by sending them back where they came from.
# (The one-tap ballot link signs its own person in and opens their ballot.)
GO_BACK = {"logout", "language_set", "large_text_set", "ballot_link"}

URL_MATRIX: dict[str, dict[str, Any]] = {
    # The JSON API answers bearer tokens only: a browser session opens nothing there (no CSRF
    # exposure). What each role may do with a token is in tests/api/.
    "api:api-root": {"args": lambda w: [], "GET": expect(404, EVERYONE)},
    "api:openapi-json": {"args": lambda w: [], "GET": expect(200, EVERYONE)},
    "api:openapi-view": {"args": lambda w: [], "GET": expect(200, EVERYONE)},
    "api:estate_list": {"args": lambda w: [], "GET": expect(200, EVERYONE)},
    "api:estate_detail": {"args": lambda w: ["here"], "GET": expect(200, EVERYONE)},
    "api:building_detail": {"args": lambda w: ["here", "1"], "GET": expect(200, EVERYONE)},
    "api:my_home": {"args": lambda w: [], "GET": expect(401, EVERYONE)},
    "api:password_sign_in": {
        "args": lambda w: [],
        # A form post is not the JSON the endpoint documents.
        "POST": {"data": lambda w: {}, "expect": expect(400, EVERYONE)},
    },
    "api:phone_code_request": {
        "args": lambda w: [],
        "POST": {"data": lambda w: {}, "expect": expect(400, EVERYONE)},
    },
    "api:phone_sign_in": {
        "args": lambda w: [],
        "POST": {"data": lambda w: {}, "expect": expect(400, EVERYONE)},
    },
    "api:wechat_sign_in": {
        "args": lambda w: [],
        "POST": {"data": lambda w: {}, "expect": expect(400, EVERYONE)},
    },
    "api:wechat_link": {
        "args": lambda w: [],
        "POST": {"data": lambda w: {}, "expect": expect(401, EVERYONE)},
    },
    "api:inbox": {"args": lambda w: [], "GET": expect(401, EVERYONE)},
    "api:mark_read": {
        "args": lambda w: [1],
        "POST": {"data": lambda w: {}, "expect": expect(401, EVERYONE)},
    },
    "api:mark_all_read": {
        "args": lambda w: [],
        "POST": {"data": lambda w: {}, "expect": expect(401, EVERYONE)},
    },
    "api:join_check": {
        "args": lambda w: [],
        "POST": {"data": lambda w: {}, "expect": expect(401, EVERYONE)},
    },
    "api:join_request_create": {
        "args": lambda w: [],
        "POST": {"data": lambda w: {}, "expect": expect(401, EVERYONE)},
    },
    "api:my_join_requests": {"args": lambda w: [], "GET": expect(401, EVERYONE)},
    "api:join_request_withdraw": {
        "args": lambda w: [1],
        "POST": {"data": lambda w: {}, "expect": expect(401, EVERYONE)},
    },
    "api:sign_out": {
        "args": lambda w: [],
        "POST": {"data": lambda w: {}, "expect": expect(401, EVERYONE)},
    },
    # decisions API
    # Reading is public, as on the pages (a draft only for its organisers); the list needs
    # ?estate=; results wait for publication; casting needs a token, whoever is signed in.
    "api:decision_list": {"args": lambda w: [], "GET": expect(422, EVERYONE)},
    "api:decision_detail": {
        "args": lambda w: [_decision(w).pk],
        "GET": expect(200, ORGANISERS_HERE, anonymous=404),
    },
    "api:ballot_cast": {
        "args": lambda w: [_decision(w, "open").pk],
        "POST": {
            "data": lambda w: {"choice": "agree"},
            "expect": expect(401, EVERYONE),
            "state": lambda w: Ballot.objects.count(),
        },
    },
    "api:decision_results": {
        "args": lambda w: [_decision(w, "published", ballots={w.users["resident"]: "agree"}).pk],
        "GET": expect(200, EVERYONE),
    },
    "api:decision_board": {
        "args": lambda w: [_decision(w, "open").pk],
        "GET": expect(200, EVERYONE),
    },
    "home": {"args": lambda w: [], "GET": expect(200, EVERYONE)},
    "estate_home": {"args": lambda w: ["here"], "GET": expect(200, EVERYONE)},
    "building_detail": {"args": lambda w: ["here", "1"], "GET": expect(200, EVERYONE)},
    "login": {
        "args": lambda w: [],
        # A signed-in account is sent on to the front page.
        "GET": {**expect(302, SIGNED_IN), "anonymous": 200},
    },
    "logout": {
        "args": lambda w: [],
        "POST": {"data": lambda w: {}, "expect": expect(302, EVERYONE)},
    },
    "language_set": {
        "args": lambda w: [],
        "POST": {"data": lambda w: {"language": "en"}, "expect": expect(302, EVERYONE)},
    },
    "large_text_set": {
        "args": lambda w: [],
        "POST": {"data": lambda w: {"large_text": "1"}, "expect": expect(302, EVERYONE)},
    },
    "my_home": {"args": lambda w: [], "GET": expect(200, SIGNED_IN)},
    "platform": {
        "args": lambda w: [],
        "GET": expect(200, frozenset({"admin"}), denied=403),
        "POST": {
            "data": lambda w: {
                "street_name": "新街道",
                "street_slug": "new-street",
                "estate_name": "新小区",
                "estate_slug": "new-estate",
                "staff_username": "new_staff",
                "staff_display_name": "新同事",
                "staff_password": "a-long-enough-passphrase",
            },
            "expect": expect(302, frozenset({"admin"}), denied=403),
            "state": lambda w: Estate.objects.count(),
            "writes": frozenset({"admin"}),
        },
    },
    "console": {"args": lambda w: ["here"], "GET": expect(200, OFFICERS_HERE)},
    "console_building_create": {
        "args": lambda w: ["here"],
        "GET": expect(200, MANAGERS_HERE),
        "POST": {
            "data": lambda w: {"number": "9", "name": "", "floors": "6"},
            "expect": expect(302, MANAGERS_HERE),
            "state": lambda w: Building.objects.count(),
            "writes": MANAGERS_HERE,
        },
    },
    "console_building_edit": {
        "args": lambda w: ["here", "1"],
        "GET": expect(200, MANAGERS_HERE),
        "POST": {
            "data": lambda w: {"name": "新名字", "floors": "7", "description": "电梯楼"},
            "expect": expect(302, MANAGERS_HERE),
            "state": lambda w: Building.objects.values_list("name", "floors").get(pk=w.b1.pk),
            "writes": MANAGERS_HERE,
        },
    },
    "console_flats": {"args": lambda w: ["here"], "GET": expect(200, OFFICERS_HERE)},
    "console_flat_create": {
        "args": lambda w: ["here"],
        "GET": expect(200, MANAGERS_HERE),
        "POST": {
            "data": lambda w: {
                "building": w.b1.pk,
                "entrance": "",
                "number": "999",
                "floor": "9",
                "area": "70.00",
                "area_source": "registered",
            },
            "expect": expect(302, MANAGERS_HERE),
            "state": lambda w: Flat.objects.count(),
            "writes": MANAGERS_HERE,
        },
    },
    "console_flat": {
        "args": lambda w: ["here", w.flat1.pk],
        "GET": expect(200, OFFICERS_HERE),
        "POST": {
            "data": lambda w: {"floor": "4", "area": "92.30", "area_source": "surveyed"},
            "expect": CHANGE_HERE,
            "state": _flat,
            "writes": MANAGERS_HERE,
        },
    },
    "console_people": {"args": lambda w: ["here"], "GET": expect(200, OFFICERS_HERE)},
    "console_person_create": {
        "args": lambda w: ["here"],
        "GET": expect(200, MANAGERS_HERE),
        "POST": {
            "data": lambda w: {"full_name": "新来的", "phone": "", "note": ""},
            "expect": expect(302, MANAGERS_HERE),
            "state": lambda w: Person.objects.count(),
            "writes": MANAGERS_HERE,
        },
    },
    "console_person": {
        "args": lambda w: ["here", w.person2.pk],
        "GET": expect(200, OFFICERS_HERE),
        "POST": {
            "data": lambda w: {"full_name": "王改名", "phone": "", "note": ""},
            "expect": CHANGE_HERE,
            "state": lambda w: Person.objects.values_list("full_name", "phone").get(
                pk=w.person2.pk
            ),
            "writes": MANAGERS_HERE,
        },
    },
    "console_occupancy_create": {
        "args": lambda w: ["here", w.person2.pk],
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {"flat": "1-101", "relation": "family"},
            "expect": expect(302, MANAGERS_HERE),
            "state": lambda w: Occupancy.objects.count(),
            "writes": MANAGERS_HERE,
        },
    },
    "console_occupancy_end": {
        "args": lambda w: ["here", w.occupancy2.pk],
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {"ends_on": ""},
            "expect": expect(302, MANAGERS_HERE),
            "state": lambda w: Occupancy.objects.get(pk=w.occupancy2.pk).ends_on,
            "writes": MANAGERS_HERE,
        },
    },
    "console_roles": {
        "args": lambda w: ["here"],
        "GET": expect(200, MANAGERS_HERE),
        "POST": {
            "data": lambda w: {"account": "outsider", "kind": "property_staff", "building": ""},
            "expect": expect(302, MANAGERS_HERE),
            "state": lambda w: Role.objects.count(),
            "writes": MANAGERS_HERE,
        },
    },
    "console_role_end": {
        "args": lambda w: ["here", w.role_here.pk],
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {},
            "expect": expect(302, MANAGERS_HERE),
            "state": lambda w: Role.objects.get(pk=w.role_here.pk).ends_on,
            "writes": MANAGERS_HERE,
        },
    },
    "console_audit": {"args": lambda w: ["here"], "GET": expect(200, MANAGERS_HERE)},
    # Roster import and export: the estate's committee staff (and platform admins) only.
    "console_roster": {
        "args": lambda w: ["here"],
        "GET": expect(200, MANAGERS_HERE),
        "POST": {
            "data": lambda w: {"file": SimpleUploadedFile("名册.csv", roster.SMALL_ROSTER)},
            "expect": expect(302, MANAGERS_HERE),
            "state": lambda w: RosterImport.objects.count(),
            "writes": MANAGERS_HERE,
        },
    },
    "console_roster_export": {"args": lambda w: ["here"], "GET": expect(200, MANAGERS_HERE)},
    "console_roster_lock": {
        "args": lambda w: ["here"],
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {"locked": "on"},
            "expect": expect(302, MANAGERS_HERE),
            "state": lambda w: Estate.objects.get(pk=w.here.pk).building_list_locked,
            "writes": MANAGERS_HERE,
        },
    },
    "console_roster_import": {
        "args": lambda w: ["here", roster.uploaded(w.here, w.users["staff"]).pk],
        "GET": expect(200, MANAGERS_HERE),
    },
    "console_roster_columns": {
        "args": lambda w: ["here", roster.uploaded(w.here, w.users["staff"]).pk],
        "GET": expect(200, MANAGERS_HERE),
        "POST": {
            "data": lambda w: {
                "sheet": "0",
                "header_row": "1",
                "column_0": "building",
                "column_1": "room",
                "column_2": "area",
                "column_3": "name",
                "column_4": "relation",
            },
            "expect": expect(302, MANAGERS_HERE),
            "state": lambda w: list(RosterImport.objects.values_list("status", "mapping")),
            "writes": MANAGERS_HERE,
        },
    },
    "console_roster_confirm": {
        "args": lambda w: ["here", roster.checked(w.here, w.users["staff"]).pk],
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {},
            "expect": expect(302, MANAGERS_HERE),
            "state": lambda w: Flat.objects.count(),
            "writes": MANAGERS_HERE,
        },
    },
    # One's own inbox: another person's notification is 404, like a missing one. Marking read
    # is the reader's own bookkeeping and is not audited.
    "inbox": {"args": lambda w: [], "GET": expect(200, SIGNED_IN)},
    "notification_read": {
        "args": lambda w: [NotificationFactory(recipient=w.users["resident"]).pk],
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {},
            "expect": expect(302, frozenset({"resident"})),
            "state": lambda w: list(Notification.objects.values_list("read_at", flat=True)),
            "writes": frozenset({"resident"}),
            "audited": False,
        },
    },
    "inbox_read_all": {
        "args": _with_unread_notification,
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {},
            "expect": expect(302, SIGNED_IN),
            "state": lambda w: Notification.objects.filter(read_at__isnull=True).count(),
            "writes": frozenset({"resident"}),
            "audited": False,
        },
    },
    "notification_preferences": {
        "args": lambda w: [],
        "GET": expect(200, SIGNED_IN),
        "POST": {
            "data": lambda w: {
                "sms_groups": ["home"],
                "quiet_start": "21:00",
                "quiet_end": "06:00",
            },
            "expect": expect(302, SIGNED_IN),
            "state": lambda w: sorted(
                NotificationPreference.objects.values_list("user_id", "sms_groups", "digest")
            ),
            "writes": SIGNED_IN,
        },
    },
    # Signing in and up: for visitors; a signed-in account is sent on to the front page. The
    # codes below were never sent, so visitors get 422 and nothing is written.
    "sign_up": {
        "args": lambda w: [],
        "GET": {**expect(302, SIGNED_IN), "anonymous": 200},
        "POST": {
            "data": lambda w: {
                "phone": "13900139000",
                "code": "123456",
                "display_name": "新邻居",
                "privacy_notice_consent": "on",
            },
            "expect": {**expect(302, SIGNED_IN), "anonymous": 422},
            "state": lambda w: (get_user_model().objects.count(), Consent.objects.count()),
        },
    },
    "sign_in_code": {
        "args": lambda w: [],
        "GET": expect(405, EVERYONE),
        "POST": {
            "data": lambda w: {"phone": "13900139000", "code": "123456"},
            "expect": {**expect(302, SIGNED_IN), "anonymous": 422},
            "state": lambda w: PhoneCode.objects.filter(used_at__isnull=False).count(),
        },
    },
    # Asking for a code writes a code row and the security log, never the audit log.
    "sign_in_code_send": {
        "args": lambda w: [],
        "GET": expect(405, EVERYONE),
        "POST": {
            "data": lambda w: {"phone": "13900139000"},
            "expect": {**expect(302, SIGNED_IN), "anonymous": 200},
        },
    },
    "sign_up_code_send": {
        "args": lambda w: [],
        "GET": expect(405, EVERYONE),
        "POST": {
            "data": lambda w: {"phone": "13900139000"},
            "expect": {**expect(302, SIGNED_IN), "anonymous": 200},
        },
    },
    "privacy_notice": {"args": lambda w: [], "GET": expect(200, EVERYONE)},
    "account_settings": {
        "args": lambda w: [],
        "GET": expect(200, SIGNED_IN),
        "POST": {
            "data": lambda w: {"display_name": "改个名字"},
            "expect": expect(302, SIGNED_IN),
            "state": lambda w: sorted(
                get_user_model().objects.values_list("display_name", flat=True)
            ),
            "writes": SIGNED_IN,
        },
    },
    # My data: one's own only. Downloads are security events, not writes; deleting one's
    # account de-identifies it and is audited (everyone signed in may delete their own).
    "my_data": {"args": lambda w: [], "GET": expect(200, SIGNED_IN)},
    "my_data_download": {"args": lambda w: ["json"], "GET": expect(200, SIGNED_IN)},
    "account_delete": {
        "args": lambda w: [],
        "GET": expect(200, SIGNED_IN),
        "POST": {
            "data": lambda w: {"confirm": "on"},
            "expect": expect(302, SIGNED_IN),
            "state": lambda w: get_user_model().objects.filter(is_active=True).count(),
            "writes": SIGNED_IN,
        },
    },
    "account_deleted": {"args": lambda w: [], "GET": expect(200, EVERYONE)},
    "consent_publish_name": {
        "args": lambda w: [],
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {"allowed": "1"},
            "expect": expect(302, SIGNED_IN),
            "state": lambda w: Consent.objects.count(),
            "writes": SIGNED_IN,
        },
    },
    # Joining a flat: anyone signed in may ask with a working code (the resident already lives
    # at 1-101 and is told so); checking a code writes only the security log.
    "join": {
        "args": lambda w: [],
        "GET": expect(200, SIGNED_IN),
        "POST": {
            "data": lambda w: {"code": _code_of_flat1(w)},
            "expect": expect(302, SIGNED_IN),
            "state": lambda w: JoinRequest.objects.count(),
        },
    },
    "join_code": {
        "args": lambda w: [_code_of_flat1(w)],
        "GET": expect(200, SIGNED_IN),
        "POST": {
            "data": lambda w: {"relation": "family", "full_name": "新邻居"},
            "expect": {**expect(302, SIGNED_IN), "resident": 422},
            "state": lambda w: JoinRequest.objects.count(),
            "writes": SIGNED_IN - {"resident"},
        },
    },
    "join_request_withdraw": {
        "args": lambda w: [_outsiders_request(w).pk],
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {},
            "expect": expect(302, frozenset({"outsider"})),
            "state": lambda w: list(JoinRequest.objects.values_list("status", flat=True)),
            "writes": frozenset({"outsider"}),
        },
    },
    "join_requests": {"args": lambda w: ["here"], "GET": expect(200, JOIN_REQUEST_LISTERS)},
    # The outsider who asked sees the request but may not decide it: 403; others 404.
    "join_request_approve": {
        "args": lambda w: ["here", _outsiders_request(w).pk],
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {},
            "expect": {**expect(302, DECIDERS_FLAT1), "outsider": 403},
            "state": lambda w: (
                list(JoinRequest.objects.values_list("status", flat=True)),
                Person.objects.count(),
            ),
            "writes": DECIDERS_FLAT1,
        },
    },
    "join_request_reject": {
        "args": lambda w: ["here", _outsiders_request(w).pk],
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {"reason": "不是本户"},
            "expect": {**expect(302, DECIDERS_FLAT1), "outsider": 403},
            "state": lambda w: list(JoinRequest.objects.values_list("status", "reason")),
            "writes": DECIDERS_FLAT1,
        },
    },
    "join_slips": {
        "args": lambda w: ["here"],
        "GET": expect(200, MANAGERS_HERE),
        "POST": {
            "data": lambda w: {"building": "1"},
            "expect": expect(200, MANAGERS_HERE),
            "state": lambda w: JoinCode.objects.count(),
            "writes": MANAGERS_HERE,
        },
    },
    "join_slips_download": {
        "args": lambda w: ["here", _done_slip_print(w, w.here).pk],
        "GET": expect(200, MANAGERS_HERE),
    },
    "join_code_rotate": {
        "args": lambda w: ["here", w.flat1.pk],
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {},
            "expect": CHANGE_HERE,
            "state": lambda w: list(JoinCode.objects.values_list("code", "is_active")),
            "writes": MANAGERS_HERE,
        },
    },
    # Authorisations: an owner picks someone of the household (for anyone else the form has
    # nobody to pick: 422); staff record one on a written request; the owner, the agent (the
    # outsider) and staff may end one.
    "delegation_grant": {
        "args": _with_household_member,
        "GET": expect(200, SIGNED_IN),
        "POST": {
            "data": lambda w: {
                "principal": w.person1.pk,
                "agent": Person.objects.get(full_name="李儿子").user_id,
                "scope": ["vote"],
                "ends_on": _in_a_month(),
            },
            "expect": expect(302, frozenset({"resident"}), denied=422),
            "state": lambda w: Delegation.objects.count(),
            "writes": frozenset({"resident"}),
        },
    },
    "console_delegation_grant": {
        "args": lambda w: ["here", w.person1.pk],
        "GET": expect(200, MANAGERS_HERE),
        "POST": {
            "data": lambda w: {
                "agent": "outsider",
                "scope": ["vote"],
                "ends_on": _in_a_month(),
                "note": "书面委托书",
            },
            "expect": expect(302, MANAGERS_HERE),
            "state": lambda w: Delegation.objects.count(),
            "writes": MANAGERS_HERE,
        },
    },
    "delegation_revoke": {
        "args": lambda w: [DelegationFactory(principal=w.person1, agent=w.users["outsider"]).pk],
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {},
            "expect": expect(302, MANAGERS_HERE | {"resident", "outsider"}),
            "state": lambda w: list(Delegation.objects.values_list("revoked_at", flat=True)),
            "writes": MANAGERS_HERE | {"resident", "outsider"},
        },
    },
    # Decisions. Public pages answer everyone for announced votes; a draft is the organisers'
    # (404 to everyone else). Only the resident is on the roll of the open vote: everyone else
    # signed in is refused with 422 and nothing is written.
    "decisions": {"args": lambda w: ["here"], "GET": expect(200, EVERYONE)},
    "decision_detail": {
        "args": lambda w: ["here", _decision(w).pk],
        "GET": expect(200, ORGANISERS_HERE, anonymous=404),
    },
    "decision_vote": {
        "args": lambda w: ["here", _decision(w, "open").pk],
        "GET": expect(200, SIGNED_IN),
        "POST": {
            "data": lambda w: {"choice": "agree"},
            "expect": expect(302, frozenset({"resident"}), denied=422),
            "state": lambda w: Ballot.objects.count(),
            "writes": frozenset({"resident"}),
        },
    },
    "decision_voted": {"args": _receipt, "GET": expect(200, EVERYONE)},
    "decision_board": {
        "args": lambda w: ["here", _decision(w, "open").pk],
        "GET": expect(200, EVERYONE),
    },
    "decision_roll": {
        "args": lambda w: ["here", _decision(w, "open").pk],
        "GET": expect(200, EVERYONE),
    },
    "ballot_link": {"args": _ballot_link, "GET": expect(302, EVERYONE)},
    "console_decisions": {"args": lambda w: ["here"], "GET": expect(200, ORGANISERS_HERE)},
    "console_decision_create": {
        "args": lambda w: ["here"],
        "GET": expect(200, ORGANISERS_HERE),
        "POST": {
            "data": _draft_data,
            "expect": expect(302, ORGANISERS_HERE),
            "state": lambda w: Decision.objects.count(),
            "writes": ORGANISERS_HERE,
        },
    },
    "console_decision_settings": {
        "args": lambda w: ["here"],
        "GET": expect(200, MANAGERS_HERE),
        "POST": {
            "data": lambda w: {"notice_days": "20", "deemed_consent": "on"},
            "expect": expect(302, MANAGERS_HERE),
            "state": lambda w: list(
                DecisionSettings.objects.values_list("deemed_consent", "notice_days")
            ),
            "writes": MANAGERS_HERE,
        },
    },
    "console_decision": {
        "args": lambda w: ["here", _decision(w).pk],
        "GET": expect(200, ORGANISERS_HERE),
    },
    "console_decision_edit": {
        "args": lambda w: ["here", _decision(w).pk],
        "GET": expect(200, ORGANISERS_HERE),
        "POST": {
            "data": lambda w: {**_draft_data(w), "title": "改过的标题"},
            "expect": expect(302, ORGANISERS_HERE),
            "state": lambda w: list(Decision.objects.values_list("title", flat=True)),
            "writes": ORGANISERS_HERE,
        },
    },
    "console_decision_action": {
        "args": lambda w: ["here", _decision(w).pk, "announce"],
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {},
            "expect": expect(302, ORGANISERS_HERE),
            "state": lambda w: list(Decision.objects.values_list("status", flat=True)),
            "writes": ORGANISERS_HERE,
        },
    },
    "console_decision_amend": {
        "args": lambda w: ["here", _decision(w, "open").pk],
        "GET": expect(200, ORGANISERS_HERE),
        "POST": {
            "data": lambda w: {"flat_label": "1-101", "area": "95.20", "reason": "产权证面积"},
            "expect": expect(302, ORGANISERS_HERE),
            "state": lambda w: RollAmendment.objects.count(),
            "writes": ORGANISERS_HERE,
        },
    },
    "console_decision_served": {
        "args": lambda w: ["here", _decision(w, "announced").pk],
        "GET": expect(200, ORGANISERS_HERE),
        "POST": {
            "data": lambda w: {
                "entries": [RollEntry.objects.get(flats__label="1-101").pk],
                "note": "上门送达",
            },
            "expect": expect(302, ORGANISERS_HERE),
            "state": lambda w: NoticeDelivery.objects.filter(channel="paper").count(),
            "writes": ORGANISERS_HERE,
        },
    },
    # decisions: printing, exports, paper entry. The notice and the published results are
    # public; ballots, the paper console and its photos are the organisers'; the record is
    # the organisers' and, once published, the owners' on the roll (the resident).
    "decision_notice_pdf": {
        "args": lambda w: ["here", _decision(w, "announced").pk],
        "GET": expect(200, EVERYONE),
    },
    "decision_ballots_pdf": {
        "args": lambda w: ["here", _decision(w, "announced").pk],
        "GET": expect(200, ORGANISERS_HERE),
    },
    "decision_results_pdf": {
        "args": lambda w: ["here", _decision(w, "published").pk],
        "GET": expect(200, EVERYONE),
    },
    "decision_record_json": {
        "args": lambda w: ["here", _decision(w, "published").pk],
        "GET": expect(200, ORGANISERS_HERE | {"resident"}),
    },
    "decision_record_xlsx": {
        "args": lambda w: ["here", _decision(w, "published").pk],
        "GET": expect(200, ORGANISERS_HERE | {"resident"}),
    },
    "decision_paper": {
        "args": lambda w: ["here", _decision(w, "open").pk],
        "GET": expect(200, ORGANISERS_HERE),
        "POST": {
            "data": lambda w: {
                "entry": RollEntry.objects.get(flats__label="1-101").pk,
                "channel": "paper",
                "choice": "agree",
                "document": _photo_upload(),
            },
            "expect": expect(302, ORGANISERS_HERE),
            "state": lambda w: PaperEntry.objects.count(),
            "writes": ORGANISERS_HERE,
        },
    },
    "decision_paper_discard": {
        "args": _paper_reading,
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {"reason": "录错了户号"},
            "expect": expect(302, ORGANISERS_HERE),
            "state": lambda w: list(PaperEntry.objects.values_list("status", flat=True)),
            "writes": ORGANISERS_HERE,
        },
    },
    "decision_paper_photo": {"args": _paper_reading, "GET": expect(200, ORGANISERS_HERE)},
    # notices: the board is the estate's members' (it is not public here; the public view is
    # tested in tests/notices/); committee staff and the owners' committee post for the estate,
    # group leaders for their building (a leader's new notice needs their building: 422).
    "board": {"args": lambda w: ["here"], "GET": expect(200, MEMBERS_HERE)},
    "board_archive": {"args": lambda w: ["here"], "GET": expect(200, MEMBERS_HERE)},
    "notice_detail": {
        "args": lambda w: ["here", _notice(w).pk],
        "GET": expect(200, MEMBERS_HERE),
    },
    "notice_attachment": {"args": _notice_with_file, "GET": expect(200, MEMBERS_HERE)},
    "console_notices": {"args": lambda w: ["here"], "GET": expect(200, NOTICE_POSTERS)},
    "console_notice_create": {
        "args": lambda w: ["here"],
        "GET": expect(200, NOTICE_POSTERS),
        "POST": {
            "data": lambda w: {"building": "", "category": "other", "title": "停水通知"},
            "expect": {
                **expect(302, ORGANISERS_HERE),
                "leader": 422,
                "leader_other_building": 422,
            },
            "state": lambda w: Notice.objects.count(),
            "writes": ORGANISERS_HERE,
        },
    },
    "console_board_settings": {
        "args": lambda w: ["here"],
        "GET": expect(200, MANAGERS_HERE),
        "POST": {
            "data": lambda w: {"public": "on"},
            "expect": expect(302, MANAGERS_HERE),
            "state": lambda w: list(BoardSettings.objects.values_list("estate_id", "public")),
            "writes": MANAGERS_HERE,
        },
    },
    "console_notice": {
        "args": lambda w: ["here", _notice(w, "draft", building=w.b1).pk],
        "GET": expect(200, B1_POSTERS),
    },
    "console_notice_edit": {
        "args": lambda w: ["here", _notice(w, "draft", building=w.b1).pk],
        "GET": expect(200, B1_POSTERS),
        "POST": {
            "data": lambda w: {"building": w.b1.pk, "category": "other", "title": "改过的通知"},
            "expect": expect(302, B1_POSTERS),
            "state": lambda w: list(Notice.objects.values_list("title", flat=True)),
            "writes": B1_POSTERS,
        },
    },
    "console_notice_publish": {
        "args": lambda w: ["here", _notice(w, "draft", building=w.b1).pk],
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {"days": "30"},
            "expect": expect(302, B1_POSTERS),
            "state": lambda w: list(Notice.objects.values_list("status", flat=True)),
            "writes": B1_POSTERS,
        },
    },
    "console_notice_withdraw": {
        "args": lambda w: ["here", _notice(w, building=w.b1).pk],
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {"reason": "日期写错了"},
            "expect": expect(302, B1_POSTERS),
            "state": lambda w: list(Notice.objects.values_list("status", flat=True)),
            "writes": B1_POSTERS,
        },
    },
    "console_notice_pin": {
        "args": lambda w: ["here", _notice(w, building=w.b1).pk, "pin"],
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {},
            "expect": expect(302, B1_POSTERS),
            "state": lambda w: list(Notice.objects.values_list("pinned", flat=True)),
            "writes": B1_POSTERS,
        },
    },
    "console_notice_attachment_add": {
        "args": lambda w: ["here", _notice(w, "draft", building=w.b1).pk],
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {"file": png()},
            "expect": expect(302, B1_POSTERS),
            "state": lambda w: NoticeAttachment.objects.count(),
            "writes": B1_POSTERS,
        },
    },
    "console_notice_attachment_remove": {
        "args": lambda w: _notice_with_file(w, "draft"),
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {},
            "expect": expect(302, B1_POSTERS),
            "state": lambda w: NoticeAttachment.objects.count(),
            "writes": B1_POSTERS,
        },
    },
    # The board's API: members read it (a session works for reading, as for votes); without
    # sign-in a board that is not public is 401; the list needs ?estate=.
    "api:board_list": {"args": lambda w: [], "GET": expect(422, EVERYONE)},
    "api:board_notice": {
        "args": lambda w: [_notice(w).pk],
        "GET": expect(200, MEMBERS_HERE, anonymous=401),
    },
    "api:board_attachment": {
        "args": lambda w: _notice_with_file(w)[1:],
        "GET": expect(200, MEMBERS_HERE, anonymous=401),
    },
    # funding: building 1's fund is the estate's members' (its board is not public here; the
    # public view is tested in tests/funding/); its treasurer (the resident) and staff record,
    # residents pledge, a second person approves; the API writes need a token.
    "funds": {"args": lambda w: ["here"], "GET": expect(200, MEMBERS_HERE)},
    "fund_detail": {"args": _fund_args, "GET": expect(200, MEMBERS_HERE)},
    "fund_pledge": {
        "args": _fund_args,
        "GET": expect(200, PLEDGERS),
        "POST": {
            "data": lambda w: {"kind": "money", "amount": "50", "shown_as": "flat"},
            "expect": expect(302, PLEDGERS),
            "state": lambda w: Pledge.objects.count(),
            "writes": PLEDGERS,
        },
    },
    "fund_receipt": {"args": _posted_receipt, "GET": expect(200, MEMBERS_HERE)},
    # funding: disclosure reports, for whoever may read the board; staff make one now
    "disclosure_reports": {"args": lambda w: ["here"], "GET": expect(200, MEMBERS_HERE)},
    "disclosure_report_download": {"args": _stored_report, "GET": expect(200, MEMBERS_HERE)},
    "disclosure_report_make": {
        "args": lambda w: ["here"],
        "POST": {
            "data": lambda w: {"which": "nonsense"},
            "expect": expect(422, MANAGERS_HERE, anonymous=404),
            "state": lambda w: 0,
        },
    },
    "fund_pledge_photo": {"args": _pledge_photo, "GET": expect(200, MEMBERS_HERE)},
    "console_funds": {
        "args": lambda w: _fund_args(w)[:1],
        "GET": expect(200, FUND_CONSOLE),
    },
    "console_fund_create": {
        "args": lambda w: ["here"],
        "GET": expect(200, MANAGERS_HERE | {"leader", "leader_other_building"}),
        "POST": {
            # A leader opens funds for their building only: the whole estate is refused (422).
            "data": lambda w: {
                "building": "",
                "title": "全小区 健身角",
                "target": "800",
                "treasurer": "resident",
            },
            "expect": {**expect(302, MANAGERS_HERE), "leader": 422, "leader_other_building": 422},
            "state": lambda w: Fund.objects.count(),
            "writes": MANAGERS_HERE,
        },
    },
    "console_fund": {"args": _fund_args, "GET": expect(200, APPROVERS_B1 | {"resident"})},
    "console_fund_contribution": {
        "args": _fund_args,
        "GET": expect(200, KEEPERS_B1),
        "POST": {
            "data": lambda w: {"amount": "50", "method": "cash"},
            "expect": expect(302, KEEPERS_B1),
            "state": lambda w: LedgerEntry.objects.count(),
            "writes": KEEPERS_B1,
        },
    },
    "console_fund_material": {
        "args": _fund_args,
        "GET": expect(200, KEEPERS_B1),
        "POST": {
            "data": lambda w: {"description": "瓷砖 40 片", "value": "400"},
            "expect": expect(302, KEEPERS_B1),
            "state": lambda w: LedgerEntry.objects.count(),
            "writes": KEEPERS_B1,
        },
    },
    "console_fund_material_use": {
        "args": _with_materials,
        "GET": expect(200, KEEPERS_B1),
        "POST": {
            "data": lambda w: {"description": "铺地下室入口", "value": "50"},
            "expect": expect(302, KEEPERS_B1),
            "state": lambda w: LedgerEntry.objects.count(),
            "writes": KEEPERS_B1,
        },
    },
    "console_fund_expense": {
        "args": lambda w: _fund_args(w, "100"),
        "GET": expect(200, KEEPERS_B1),
        "POST": {
            "data": lambda w: {
                "payee": "五金店",
                "amount": "60",
                "category": "materials",
                "method": "cash",
                "receipt": _photo_upload(),
            },
            "expect": expect(302, KEEPERS_B1),
            "state": lambda w: Expense.objects.count(),
            "writes": KEEPERS_B1,
        },
    },
    "console_entry_reverse": {
        "args": _fund_entry,
        "GET": expect(200, KEEPERS_B1),
        "POST": {
            "data": lambda w: {"reason": "重复登记"},
            "expect": expect(302, KEEPERS_B1),
            "state": lambda w: LedgerEntry.objects.count(),
            "writes": KEEPERS_B1,
        },
    },
    "console_expense_approve": {
        "args": lambda w: ["here", _waiting_expense(w).pk],
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {},
            "expect": expect(302, APPROVERS_B1),
            "state": _expense_statuses,
            "writes": APPROVERS_B1,
        },
    },
    "console_expense_reject": {
        "args": lambda w: ["here", _waiting_expense(w).pk],
        "GET": expect(200, APPROVERS_B1),
        "POST": {
            "data": lambda w: {"reason": "发票抬头不对"},
            "expect": expect(302, APPROVERS_B1),
            "state": _expense_statuses,
            "writes": APPROVERS_B1,
        },
    },
    "api:fund_list": {"args": lambda w: [], "GET": expect(422, EVERYONE)},
    "api:fund_detail": {
        "args": lambda w: _fund_args(w)[1:],
        "GET": expect(200, MEMBERS_HERE, anonymous=401),
    },
    "api:fund_entries": {
        "args": lambda w: _fund_args(w, "100")[1:],
        "GET": expect(200, MEMBERS_HERE, anonymous=401),
    },
    "api:pledge_create": {
        "args": lambda w: _fund_args(w)[1:],
        "POST": {
            "data": lambda w: {"kind": "money", "amount": "5"},
            "expect": expect(401, EVERYONE),
            "state": lambda w: Pledge.objects.count(),
        },
    },
    "api:contribution_create": {
        "args": lambda w: _fund_args(w)[1:],
        "POST": {
            "data": lambda w: {"amount": "5", "method": "cash"},
            "expect": expect(401, EVERYONE),
            "state": lambda w: LedgerEntry.objects.count(),
        },
    },
    "api:expense_create": {
        "args": lambda w: _fund_args(w, "100")[1:],
        "POST": {
            "data": lambda w: {"payee": "五金店", "amount": "5", "category": "other"},
            "expect": expect(401, EVERYONE),
            "state": lambda w: Expense.objects.count(),
        },
    },
}


URL_MATRIX.update(works_rows.url_rows(expect, WORKS_ROLES))
URL_MATRIX.update(conventions_rows.url_rows(expect, WORKS_ROLES))
URL_MATRIX.update(meetings_rows.url_rows(expect, WORKS_ROLES))
URL_MATRIX.update(ideas_rows.url_rows(expect, WORKS_ROLES))
URL_MATRIX.update(projects_rows.url_rows(expect, WORKS_ROLES))
URL_MATRIX.update(opinions_rows.url_rows(expect, WORKS_ROLES))
URL_MATRIX.update(grants_rows.url_rows(expect, WORKS_ROLES))
URL_MATRIX.update(budgeting_rows.url_rows(expect, WORKS_ROLES))

for _app_rows in (
    spaces_matrix,
    talents_matrix,
    consultations_matrix,
    consultation_results_matrix,
):
    URL_MATRIX.update(_app_rows.URL_ROWS)
URL_MATRIX.update(foundation_rows.URL_ROWS)
URL_MATRIX.update(donations_rows.URL_ROWS)


def _named_url_patterns(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    """The name of every URL pattern, following includes; unnamed ones as ``<unnamed …>``."""
    resolver = resolver or get_resolver()
    names = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{pattern.namespace}:" if pattern.namespace else ""
            names += _named_url_patterns(pattern, prefix + namespace)
        elif isinstance(pattern, URLPattern):
            names.append(prefix + pattern.name if pattern.name else f"<unnamed {pattern.pattern}>")
    return names


def test_every_url_has_a_row_in_the_matrix():
    """A URL added to the URL configuration without a row in URL_MATRIX fails here."""
    missing = sorted(set(_named_url_patterns()) - set(URL_MATRIX))
    assert missing == [], f"add rows to URL_MATRIX for: {', '.join(missing)}"
    gone = sorted(set(URL_MATRIX) - set(_named_url_patterns()))
    assert gone == [], f"URL_MATRIX has rows for URLs that are gone: {gone}"


def test_every_matrix_row_names_all_roles():
    for name, row in URL_MATRIX.items():
        for method in ("GET", "POST"):
            if method in row:
                table = row[method] if method == "GET" else row[method]["expect"]
                assert set(table) == EVERYONE, (name, method)


def _cases() -> list[Any]:
    return [
        pytest.param(name, method, id=f"{name}-{method}")
        for name, row in URL_MATRIX.items()
        for method in ("GET", "POST")
        if method in row
    ]


def _client_for(world: World, role: str) -> Client:
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(world.user(role))
    return client


def _request(client: Client, method: str, url: str, data: dict[str, Any]) -> Any:
    return client.get(url) if method == "GET" else client.post(url, data)


def _sends_to_sign_in(role: str, name: str, response: Any) -> bool:
    """An anonymous visitor's 302 must lead to the sign-in page (except where everyone is
    simply sent back)."""
    return role == "anonymous" and response.status_code == 302 and name not in GO_BACK


def _matches(status: int, expected: int | set[int]) -> bool:
    return status in expected if isinstance(expected, set) else status == expected


@pytest.mark.parametrize(("name", "method"), _cases())
def test_url_matrix(world, name, method):
    """Each role gets exactly the status in the matrix; a refused POST writes nothing, an
    accepted one writes its change and an audit event. Anonymous visitors are sent to sign in.
    Each role's request is rolled back, so every role sees the same ``world``."""
    row = URL_MATRIX[name]
    url = reverse(name, args=row["args"](world))
    spec = row[method] if method == "POST" else {"expect": row[method]}
    state = spec.get("state", lambda w: None)
    writes = spec.get("writes", NOBODY)
    login = reverse("login")
    audited = spec.get("audited", True)
    wrong = {}
    for role in ROLES:
        with transaction.atomic():
            client = _client_for(world, role)
            before, events_before = state(world), AuditEvent.objects.count()
            response = _request(client, method, url, spec.get("data", lambda w: {})(world))
            after, events_after = state(world), AuditEvent.objects.count()
            transaction.set_rollback(True)
        expected = spec["expect"][role]
        if not _matches(response.status_code, expected):
            wrong[role] = f"got {response.status_code}, expected {expected}"
        elif _sends_to_sign_in(role, name, response) and not response["Location"].startswith(login):
            wrong[role] = f"redirected to {response['Location']}, not to sign in"
        if role in writes:
            if before == after or (audited and events_after == events_before):
                wrong[role] = f"should have written: {before!r} → {after!r}, audit unchanged"
        elif before != after or events_after != events_before:
            wrong[role] = f"wrote although refused: {before!r} → {after!r}"
    assert wrong == {}


def test_anonymous_is_sent_to_sign_in_and_back(world, client):
    response = client.get(reverse("console_people", args=["here"]))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/e/here/console/people/"


# --- Objects of another estate through this estate's URLs -----------------------------------


def _building_there(w: World) -> Building:
    return BuildingFactory(estate=w.there, number="77")


def _decision_there(w: World) -> Decision:
    return DecisionFactory(estate=w.there, state="draft")


def _roster_there(w: World, checked: bool = False) -> RosterImport:
    make = roster.checked if checked else roster.uploaded
    return make(w.there, w.users["staff_other_estate"])


FOREIGN_OBJECTS = [
    ("console_flat", "GET", lambda w: ["here", w.flat_there.pk]),
    ("console_flat", "POST", lambda w: ["here", w.flat_there.pk]),
    ("console_person", "GET", lambda w: ["here", w.person_there.pk]),
    ("console_person", "POST", lambda w: ["here", w.person_there.pk]),
    ("console_occupancy_create", "POST", lambda w: ["here", w.person_there.pk]),
    ("console_occupancy_end", "POST", lambda w: ["here", w.occupancy_there.pk]),
    ("console_role_end", "POST", lambda w: ["here", w.role_there.pk]),
    ("console_building_edit", "GET", lambda w: ["here", _building_there(w).number]),
    ("console_building_edit", "POST", lambda w: ["here", _building_there(w).number]),
    ("building_detail", "GET", lambda w: ["here", _building_there(w).number]),
    ("estate_home", "GET", lambda w: ["nowhere"]),
    ("console", "GET", lambda w: ["nowhere"]),
    ("join_request_approve", "POST", lambda w: ["here", JoinRequestFactory(flat=w.flat_there).pk]),
    ("join_request_reject", "POST", lambda w: ["here", JoinRequestFactory(flat=w.flat_there).pk]),
    ("join_code_rotate", "POST", lambda w: ["here", w.flat_there.pk]),
    ("console_delegation_grant", "GET", lambda w: ["here", w.person_there.pk]),
    ("console_delegation_grant", "POST", lambda w: ["here", w.person_there.pk]),
    ("join_slips_download", "GET", lambda w: ["here", _done_slip_print(w, w.there).pk]),
    ("console_roster_import", "GET", lambda w: ["here", _roster_there(w).pk]),
    ("console_roster_columns", "GET", lambda w: ["here", _roster_there(w).pk]),
    ("console_roster_columns", "POST", lambda w: ["here", _roster_there(w).pk]),
    ("console_roster_confirm", "POST", lambda w: ["here", _roster_there(w, checked=True).pk]),
    ("decision_detail", "GET", lambda w: ["here", _decision_there(w).pk]),
    ("decision_vote", "POST", lambda w: ["here", _decision_there(w).pk]),
    ("console_decision", "GET", lambda w: ["here", _decision_there(w).pk]),
    # notices
    ("notice_detail", "GET", lambda w: ["here", NoticeFactory(estate=w.there, published=True).pk]),
    ("console_notice", "GET", lambda w: ["here", NoticeFactory(estate=w.there).pk]),
    ("console_notice_publish", "POST", lambda w: ["here", NoticeFactory(estate=w.there).pk]),
    ("console_decision_action", "POST", lambda w: ["here", _decision_there(w).pk, "announce"]),
]

POST_DATA = {
    "console_flat": {"floor": "1", "area": "50.00", "area_source": "registered"},
    "console_person": {"full_name": "改掉", "phone": "", "note": ""},
    "console_occupancy_create": {"flat": "1-101", "relation": "family"},
    "console_building_edit": {"name": "改掉", "description": ""},
    "join_request_reject": {"reason": "不是本户"},
    "console_delegation_grant": {"agent": "outsider", "scope": ["vote"], "note": "书面委托书"},
}


@pytest.mark.parametrize("role", ["staff", "admin"])
@pytest.mark.parametrize(
    ("name", "method", "args"),
    FOREIGN_OBJECTS,
    ids=[f"{n}-{m}-{i}" for i, (n, m, _a) in enumerate(FOREIGN_OBJECTS)],
)
def test_objects_of_another_estate_are_404_through_this_estates_urls(
    world, role, name, method, args
):
    """An id from estate ``there`` under slug ``here`` is 404, even for staff of ``here`` and
    for platform admins, and nothing is written."""
    client = _client_for(world, role)
    url = reverse(name, args=args(world))
    before = (AuditEvent.objects.count(), list(Occupancy.objects.values_list("ends_on")))
    response = _request(client, method, url, POST_DATA.get(name, {}))
    assert response.status_code == 404
    assert (AuditEvent.objects.count(), list(Occupancy.objects.values_list("ends_on"))) == before


CONSOLE_GET_URLS = [
    ("console", lambda w: []),
    ("console_building_create", lambda w: []),
    ("console_building_edit", lambda w: ["1"]),
    ("console_flats", lambda w: []),
    ("console_flat_create", lambda w: []),
    ("console_flat", lambda w: [w.flat_there.pk]),
    ("console_people", lambda w: []),
    ("console_person_create", lambda w: []),
    ("console_person", lambda w: [w.person_there.pk]),
    ("console_roles", lambda w: []),
    ("console_audit", lambda w: []),
    ("join_slips", lambda w: []),
    ("join_requests", lambda w: []),
    ("console_delegation_grant", lambda w: [w.person_there.pk]),
    ("console_roster", lambda w: []),
    ("console_roster_export", lambda w: []),
    ("console_roster_import", lambda w: [_roster_there(w).pk]),
    ("console_roster_columns", lambda w: [_roster_there(w).pk]),
    ("console_decisions", lambda w: []),
    ("console_decision_create", lambda w: []),
    ("console_decision_settings", lambda w: []),
    # notices
    ("console_notices", lambda w: []),
    ("console_notice_create", lambda w: []),
    ("console_board_settings", lambda w: []),
]


@pytest.mark.parametrize(("name", "args"), CONSOLE_GET_URLS, ids=[n for n, _ in CONSOLE_GET_URLS])
def test_staff_of_here_get_404_for_every_console_page_of_there(world, name, args):
    client = _client_for(world, "staff")
    assert client.get(reverse(name, args=["there", *args(world)])).status_code == 404


def test_foreign_and_missing_objects_look_the_same(world):
    """A 404 for another estate's flat is the same page as for a flat that never existed."""
    client = _client_for(world, "staff")
    foreign = client.get(reverse("console_flat", args=["here", world.flat_there.pk]))
    missing = client.get(reverse("console_flat", args=["here", 987654]))
    assert foreign.status_code == missing.status_code == 404
    assert _main(foreign) == _main(missing)


def _main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


# --- visible() ------------------------------------------------------------------------------


def _audit_events(w: World) -> dict[str, AuditEvent]:
    return {
        "event_here": audit.record(actor=w.user("staff"), action="flat.update", target=w.flat1),
        "event_there": audit.record(
            actor=w.user("staff_other_estate"), action="flat.update", target=w.flat_there
        ),
        "event_platform": audit.record(
            actor=w.user("admin"), action="street.create", target=w.here.street
        ),
    }


ROWS: dict[str, Callable[[World], dict[str, Any]]] = {
    "person": lambda w: {
        "person1": w.person1,
        "person2": w.person2,
        "person_there": w.person_there,
    },
    "flat": lambda w: {"flat1": w.flat1, "flat2": w.flat2, "flat_there": w.flat_there},
    "occupancy": lambda w: {
        "occupancy1": w.occupancy1,
        "occupancy2": w.occupancy2,
        "occupancy_there": w.occupancy_there,
    },
    "role": lambda w: {role.user.username: role for role in Role.objects.select_related("user")},
    "audit": _audit_events,
    "notification": lambda w: {
        "notification_of_resident": NotificationFactory(recipient=w.users["resident"]),
        "notification_of_admin": NotificationFactory(recipient=w.users["admin"]),
    },
    # The outsider asked to join a flat of each building and of ``there``; the resident and
    # the person of ``there`` authorised the outsider.
    "join_request": lambda w: {
        f"request_{name}": JoinRequestFactory(flat=flat, user=w.users["outsider"])
        for name, flat in (("flat1", w.flat1), ("flat2", w.flat2), ("there", w.flat_there))
    },
    "delegation": lambda w: {
        "delegation_here": DelegationFactory(principal=w.person1, agent=w.users["outsider"]),
        "delegation_there": DelegationFactory(principal=w.person_there, agent=w.users["outsider"]),
    },
}

MODELS = {
    "person": Person,
    "flat": Flat,
    "occupancy": Occupancy,
    "role": Role,
    "audit": AuditEvent,
    "notification": Notification,
    "join_request": JoinRequest,
    "delegation": Delegation,
}

ALL_ROLES_ROWS = frozenset(
    {
        "leader",
        "leader_other_building",
        "staff",
        "owners_committee",
        "property",
        "foundation",
        "admin",
        "staff_other_estate",
    }
)
ROLE_ROWS_HERE = frozenset(
    {"leader", "leader_other_building", "staff", "owners_committee", "property"}
)

# role → model → the rows it sees (roles are named by the account that holds them).
VISIBLE: dict[str, dict[str, frozenset[str]]] = {
    "anonymous": {"person": NOBODY, "flat": NOBODY, "occupancy": NOBODY, "role": NOBODY},
    "outsider": {"person": NOBODY, "flat": NOBODY, "occupancy": NOBODY, "role": NOBODY},
    "resident": {
        "notification": frozenset({"notification_of_resident"}),
        "person": frozenset({"person1"}),
        "flat": frozenset({"flat1", "flat2"}),
        "occupancy": NOBODY,
        "role": NOBODY,
    },
    "leader": {
        "person": frozenset({"person1"}),
        "flat": frozenset({"flat1", "flat2"}),
        "occupancy": NOBODY,
        "role": NOBODY,
    },
    "leader_other_building": {
        "person": frozenset({"person2"}),
        "flat": frozenset({"flat1", "flat2"}),
        "occupancy": NOBODY,
        "role": NOBODY,
    },
    "staff": {
        "person": frozenset({"person1", "person2"}),
        "flat": frozenset({"flat1", "flat2"}),
        "occupancy": frozenset({"occupancy1", "occupancy2"}),
        "role": ROLE_ROWS_HERE,
        "audit": frozenset({"event_here"}),
    },
    "owners_committee": {
        "person": frozenset({"person1", "person2"}),
        "flat": frozenset({"flat1", "flat2"}),
        "occupancy": frozenset({"occupancy1", "occupancy2"}),
        "role": ROLE_ROWS_HERE,
    },
    "property": {
        "person": frozenset({"person1", "person2"}),
        "flat": frozenset({"flat1", "flat2"}),
        "occupancy": frozenset({"occupancy1", "occupancy2"}),
        "role": ROLE_ROWS_HERE,
    },
    "foundation": {"person": NOBODY, "flat": NOBODY, "occupancy": NOBODY, "role": NOBODY},
    "admin": {
        "notification": frozenset({"notification_of_admin"}),
        "person": frozenset({"person1", "person2", "person_there"}),
        "flat": frozenset({"flat1", "flat2", "flat_there"}),
        "occupancy": frozenset({"occupancy1", "occupancy2", "occupancy_there"}),
        "role": ALL_ROLES_ROWS,
        "audit": frozenset({"event_here", "event_there", "event_platform"}),
    },
    "staff_other_estate": {
        "person": frozenset({"person_there"}),
        "flat": frozenset({"flat_there"}),
        "occupancy": frozenset({"occupancy_there"}),
        "role": frozenset({"staff_other_estate"}),
        "audit": frozenset({"event_there"}),
    },
}

# Join requests: staff of the estate, the building's group leader and the person who asked (the
# outsider). Authorisations: staff of the estate, the owner and the agent (the outsider).
for _role, _rows in {
    "outsider": {
        "join_request": frozenset({"request_flat1", "request_flat2", "request_there"}),
        "delegation": frozenset({"delegation_here", "delegation_there"}),
    },
    "resident": {"delegation": frozenset({"delegation_here"})},
    "leader": {"join_request": frozenset({"request_flat1"})},
    "leader_other_building": {"join_request": frozenset({"request_flat2"})},
    "staff": {
        "join_request": frozenset({"request_flat1", "request_flat2"}),
        "delegation": frozenset({"delegation_here"}),
    },
    "admin": {
        "join_request": frozenset({"request_flat1", "request_flat2", "request_there"}),
        "delegation": frozenset({"delegation_here", "delegation_there"}),
    },
    "staff_other_estate": {
        "join_request": frozenset({"request_there"}),
        "delegation": frozenset({"delegation_there"}),
    },
}.items():
    VISIBLE[_role].update(_rows)


# projects: the rows live with the app's tests
ROWS["project"] = projects_rows.visible_rows
MODELS["project"] = projects_rows.Project
for _role, _seen in projects_rows.visible(WORKS_ROLES).items():
    VISIBLE[_role]["project"] = _seen


def test_visible_table_names_every_role():
    assert set(VISIBLE) == EVERYONE


@pytest.mark.parametrize("role", ROLES)
def test_visible(world, role):
    """Each role sees exactly the listed rows of each model, and nothing of estates it has no
    part in. Audit events are seen by the estate's committee staff and platform admins only."""
    wrong = {}
    for key, model in MODELS.items():
        rows = ROWS[key](world)
        expected = VISIBLE[role].get(key, NOBODY)
        assert expected <= set(rows), (key, expected - set(rows))
        seen_pks = set(
            permissions.visible(world.user(role), model.objects.all()).values_list("pk", flat=True)
        )
        seen = {name for name, obj in rows.items() if obj.pk in seen_pks}
        if seen != expected:
            wrong[key] = {"missing": expected - seen, "extra": seen - expected}
    assert wrong == {}


def test_visible_people_has_no_duplicates_for_a_leader(world):
    """A person with two current flats in the led building appears once, not once per flat."""
    from tests.factories import FlatFactory, OccupancyFactory

    OccupancyFactory(flat=FlatFactory(building=world.b1, number="102"), person=world.person1)
    people = permissions.visible(world.user("leader"), Person.objects.all())
    assert list(people.values_list("pk", flat=True)) == [world.person1.pk]


def test_leader_no_longer_sees_a_person_who_moved_out(world):
    from linju.community import services

    services.occupancy_end(actor=world.user("staff"), occupancy=world.occupancy1)
    assert not permissions.visible(world.user("leader"), Person.objects.all()).exists()


def test_get_visible_or_404_treats_hidden_and_missing_alike(world):
    from django.http import Http404

    for pk in (world.person_there.pk, 987654, "not-a-number"):
        with pytest.raises(Http404):
            permissions.get_visible_or_404(world.user("staff"), Person.objects.all(), pk=pk)
