"""Hostile text through every text field people can type into.

The fields come from the models, not from a list kept by hand: every CharField and TextField of
the apps named in ``_text_fields`` needs an entry in ``FIELD_ENTRY``, either the page form that
authors it or the reason nobody can (a new text field without an entry fails the suite).

Each corpus string (``tests/hostile.py``) goes through the real page. The page never answers
5xx. Accepted text is shown escaped, exactly as typed, on every page that shows it; refused text
gets a 4xx with an error message and nothing is written.
"""

from __future__ import annotations

import datetime
import io
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from PIL import Image

from linju.community.models import (
    Building,
    Entrance,
    Estate,
    Flat,
    Occupancy,
    Person,
    Role,
    Street,
)
from linju.core.models import AuditEvent, User
from linju.decisions.models import Decision, NoticeDelivery, Option, PaperEntry, RollAmendment
from linju.funding.models import Expense, Fund, LedgerEntry, Pledge
from linju.membership.models import Delegation, JoinCode, JoinRequest
from linju.notices.models import Notice
from tests.conftest import World
from tests.decisions.factories import DecisionFactory, owned_by
from tests.hostile import CORPUS, assert_no_live_markup, assert_shown_escaped

PASSWORD = "a-long-enough-passphrase"
COUNTED = (Street, Estate, Building, Entrance, Flat, Person, Occupancy, Role, User, AuditEvent)


@dataclass(frozen=True)
class Exempt:
    """Nobody types this field into a page; ``reason`` says why."""

    reason: str


@dataclass(frozen=True)
class ViaPage:
    """How the field is authored through a page, and where its text is shown afterwards."""

    url: Callable[[World], str]
    # The POST data carrying ``text``; ``i`` makes the other values (slugs, numbers) unique.
    # (``label`` below names the way in, when a field has more than one.)
    data: Callable[[World, str, int], dict[str, Any]]
    # The row now holding ``text``, or None if it was not written.
    stored: Callable[[World, str, int], models.Model | None]
    # Pages that show the text of the stored row.
    shown_on: Callable[[World, Any, int], list[str]] = lambda w, obj, i: []
    as_role: str = "staff"
    # The form edits one existing row, so each string is checked before the next replaces it.
    edits: bool = False
    # A secret (a password): it must never appear on any page, escaped or not.
    secret: bool = False
    label: str = "create"


@dataclass(frozen=True)
class Coerced:
    """The page accepts anything but keeps only one of ``allowed``."""

    url: Callable[[World], str]
    data: Callable[[World, str], dict[str, Any]]
    value: Callable[[World], str]
    allowed: frozenset[str] = field(default_factory=frozenset)
    # A cookie the page sets alongside, which must hold an allowed value too.
    cookie: str = ""


def _console(name: str, *args: Any) -> str:
    return reverse(name, args=["here", *args])


def _building_pages(w: World, b: Building, i: int) -> list[str]:
    """Where a building is named: by its name if it has one, else as "Building <number>"."""
    pages = [
        reverse("building_detail", args=["here", b.number]),
        _console("console"),
        _console("console_flats"),
        _console("console_audit"),
    ]
    if not b.name:
        pages.append(reverse("estate_home", args=["here"]))
    return pages


def _flat_pages(w: World, flat: Flat, i: int) -> list[str]:
    return [
        _console("console_flats"),
        _console("console_flat", flat.pk),
        reverse("building_detail", args=["here", flat.building.number]),
        _console("console_audit"),
    ]


def _person_pages(w: World, person: Person, i: int) -> list[str]:
    pages = [
        _console("console_people"),
        _console("console_person", person.pk),
        _console("console_audit"),
    ]
    pages += [_console("console_flat", o.flat_id) for o in person.occupancies.all()]
    return pages


def _estate_setup(w: World, i: int, **values: str) -> dict[str, str]:
    data = {
        "street_name": f"街道{i}",
        "street_slug": f"hostile-street-{i}",
        "estate_name": f"小区{i}",
        "estate_slug": f"hostile-estate-{i}",
        "staff_username": f"staff{i}",
        "staff_display_name": f"同事{i}",
        "staff_password": PASSWORD,
    }
    return {**data, **values}


def _new_street_pages(w: World, obj: Any, i: int) -> list[str]:
    return [
        reverse("home"),
        reverse("platform"),
        reverse("estate_home", args=[f"hostile-estate-{i}"]),
    ]


def _new_estate_pages(w: World, obj: Any, i: int) -> list[str]:
    return [*_new_street_pages(w, obj, i), reverse("console", args=[f"hostile-estate-{i}"])]


def _new_staff_pages(w: World, user: User, i: int) -> list[str]:
    return [
        reverse("console_roles", args=[f"hostile-estate-{i}"]),
        reverse("console_audit", args=[f"hostile-estate-{i}"]),
    ]


def _flat_create(w: World, i: int, **values: Any) -> dict[str, Any]:
    data = {
        "building": w.b1.pk,
        "entrance": "",
        "number": f"9{i:02d}",
        "floor": "9",
        "area": "50.00",
        "area_source": "registered",
    }
    return {**data, **values}


def _first(queryset: models.QuerySet) -> models.Model | None:
    return queryset.first()


def _join_url(w: World) -> str:
    """The join page of flat 2-201, where the outsider asks to join."""
    code, _created = JoinCode.objects.get_or_create(
        flat=w.flat2, is_active=True, defaults={"estate": w.here, "code": "HSTL2345"}
    )
    return reverse("join_code", args=[code.code])


def _new_join(w: World, **values: str) -> dict[str, str]:
    """Each string is a new request: the outsider's previous one is set aside first, so the
    one-waiting-request rule does not refuse it."""
    JoinRequest.objects.filter(user=w.users["outsider"], status="pending").update(
        status="withdrawn"
    )
    return values


def _waiting_request_reject_url(w: World) -> str:
    """A new waiting request of the outsider at flat 1-101 to refuse, for each string."""
    from tests.factories import JoinRequestFactory

    _new_join(w)
    request = JoinRequestFactory(flat=w.flat1, user=w.users["outsider"])
    return reverse("join_request_reject", args=["here", request.pk])


def _new_delegation(w: World, note: str) -> dict[str, Any]:
    """Staff record an authorisation for the resident (an owner) to the outsider; the previous
    one is ended first, so the no-overlap rule does not refuse the next string."""
    from django.utils import timezone

    Delegation.objects.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    ends_on = timezone.localdate() + datetime.timedelta(days=30)
    return {"agent": "outsider", "scope": ["vote"], "ends_on": ends_on.isoformat(), "note": note}


def _decision(w: World, state: str) -> Decision:
    """One vote of estate ``here`` in ``state`` ("draft", "announced" or "open"), made through
    the services once per test. Flats 1-101 and 2-201 are owned by their residents first, so
    the roll has voters."""
    made: dict[str, Decision] = vars(w).setdefault("decisions", {})
    if state not in made:
        if w.flat1.owner_id is None:
            owned_by(w.flat1, w.person1)
            owned_by(w.flat2, w.person2)
        traits = {} if state == "draft" else {state: True}
        made[state] = DecisionFactory(estate=w.here, **traits)
    return made[state]


def _decision_pages(w: World, decision: Decision, i: int) -> list[str]:
    return [
        _console("console_decisions"),
        _console("console_decision", decision.pk),
        reverse("decisions", args=["here"]),
        reverse("decision_detail", args=["here", decision.pk]),
    ]


def _draft_pages(w: World, decision: Decision, i: int) -> list[str]:
    """A draft's pages, with its edit form (which shows its values in the fields)."""
    return [*_decision_pages(w, decision, i), _console("console_decision_edit", decision.pk)]


def _vote_form(w: World, i: int, **values: str) -> dict[str, str]:
    """The console's form for a new owners' vote (item 7), voting three weeks from now."""
    opens = timezone.localtime() + datetime.timedelta(days=21)
    data = {
        "kind": "owners",
        "title": f"表决{i}",
        "body": "",
        "matter": "7",
        "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (opens + datetime.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "revote": "last",
    }
    return {**data, **values}


def _residents_vote_form(w: World, text: str, i: int) -> dict[str, str]:
    """A residents' vote whose options are typed one per line: the string first, a plain option
    below it."""
    return _vote_form(
        w,
        i,
        kind="residents",
        title=f"居民表决{i}",
        matter="",
        options=f"{text}\n选项{i}",
        method="single",
        min_choices="1",
        max_choices="1",
        unit="household",
        binding="on",
        quorum_percent="50",
    )


def _first_option(w: World, text: str, i: int) -> Option | None:
    """The first option of the i-th residents' vote, if the options are the string's lines and
    then the plain one. The form takes one option per line, so a string with line breaks is
    several options, each line trimmed; a string without is one option, exactly as typed."""
    decision = Decision.objects.filter(estate=w.here, title=f"居民表决{i}").first()
    if decision is None:
        return None
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    options = list(decision.options.order_by("position", "pk"))
    if [o.label for o in options] != [*lines, f"选项{i}"]:
        return None
    return options[0]


def _option_pages(w: World, option: Option, i: int) -> list[str]:
    """Where the options are listed. A string with line breaks became several options, none of
    which holds the whole string, so there is no whole string to look for."""
    decision = option.decision
    if decision.options.count() != 2:
        return []
    return [
        _console("console_decision", decision.pk),
        _console("console_decision_edit", decision.pk),
        reverse("decision_detail", args=["here", decision.pk]),
    ]


def _cancel(w: World, text: str) -> dict[str, str]:
    """The announced vote is set back to announced first (in the database, as if the previous
    string had not cancelled it), so each string cancels it afresh."""
    Decision.objects.filter(pk=_decision(w, "announced").pk).update(
        status=Decision.Status.ANNOUNCED, cancelled_at=None, cancel_reason=""
    )
    return {"reason": text}


def _cancelled_pages(w: World, decision: Decision, i: int) -> list[str]:
    return [
        _console("console_decision", decision.pk),
        reverse("decision_detail", args=["here", decision.pk]),
    ]


def _voter_on(w: World, label: str) -> int:
    """The open vote's roll entry holding flat ``label``."""
    return _decision(w, "open").roll.get(flats__label=label).pk


def _amend(w: World, i: int, **values: str) -> dict[str, str]:
    """A correction of flat 1-101's area on the open vote's roll; the area differs for each
    string, so each one is a change."""
    data = {"flat_label": "1-101", "area": f"{100 + i}.37", "reason": f"产权证{i}"}
    return {**data, **values}


def _amendment_pages(w: World, amendment: RollAmendment, i: int) -> list[str]:
    return [
        reverse("decision_roll", args=["here", amendment.decision_id]),
        _console("console_decision_amend", amendment.decision_id),
    ]


def _photo() -> SimpleUploadedFile:
    """A small valid PNG, new for each post (an upload is read once)."""
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(out, format="PNG")
    return SimpleUploadedFile("ballot.png", out.getvalue(), content_type="image/png")


def _proxy_letter(w: World, text: str) -> dict[str, Any]:
    """A proxy letter for the owner of 2-201, naming ``text`` as the proxy, with its photo."""
    return {
        "entry": _voter_on(w, "2-201"),
        "channel": "proxy",
        "proxy_name": text,
        "choice": "agree",
        "document": _photo(),
    }


# notices
def _notice(w: World, state: str) -> Any:
    """One notice of estate ``here`` in ``state`` ("draft" or "published"), once per test."""
    from tests.notices.factories import NoticeFactory

    made: dict[str, Any] = vars(w).setdefault("notices", {})
    if state not in made:
        made[state] = NoticeFactory(estate=w.here, **({} if state == "draft" else {state: True}))
    return made[state]


def _notice_form(w: World, i: int, **values: str) -> dict[str, str]:
    return {"building": "", "category": "other", "title": f"通知{i}", "body": "", **values}


def _notice_pages(w: World, notice: Any, i: int) -> list[str]:
    """A draft's pages: the console's list, its page and edit form, and its preview."""
    return [
        _console("console_notices"),
        _console("console_notice", notice.pk),
        _console("console_notice_edit", notice.pk),
        reverse("notice_detail", args=["here", notice.pk]),
    ]


def _notice_body_pages(w: World, notice: Any, i: int) -> list[str]:
    return _notice_pages(w, notice, i)[1:]  # the console's list shows titles only


def _withdraw(w: World, text: str) -> dict[str, str]:
    """The published notice is set back to published first (in the database, as if the
    previous string had not withdrawn it), so each string withdraws it afresh."""
    from linju.notices.models import Notice

    Notice.objects.filter(pk=_notice(w, "published").pk).update(
        status="published", withdrawn_at=None, withdraw_reason=""
    )
    return {"reason": text}


def _withdrawn_pages(w: World, notice: Any, i: int) -> list[str]:
    return [
        reverse("board", args=["here"]),
        reverse("notice_detail", args=["here", notice.pk]),
        _console("console_notice", notice.pk),
    ]


# funding
def _hostile_fund(w: World) -> Any:
    """Building 1's fund (its treasurer: the resident), holding ¥1,000, made once per test."""
    from linju.funding import services

    if "fund" not in vars(w):
        w.fund = services.fund_create(
            actor=w.users["staff"],
            estate=w.here,
            building=w.b1,
            title="1号楼 楼道微更新",
            target="5000",
            treasurer=w.users["resident"],
        )
        services.contribution_record(
            actor=w.users["resident"], fund=w.fund, amount="1000", method="cash"
        )
    return w.fund


def _fund_console(name: str, w: World, *args: Any) -> str:
    return reverse(name, args=["here", _hostile_fund(w).pk, *args])


def _fund_form(w: World, i: int, **values: str) -> dict[str, str]:
    data = {"building": "", "title": f"基金{i}", "target": "800", "treasurer": "resident"}
    return {**data, **values}


def _fund_pages(w: World, fund: Any, i: int) -> list[str]:
    return [
        _console("console_funds"),
        _console("console_fund", fund.pk),
        reverse("funds", args=["here"]),
        reverse("fund_detail", args=["here", fund.pk]),
    ]


def _expense_form(w: World, **values: Any) -> dict[str, Any]:
    data = {"payee": "五金店", "amount": "1", "category": "other", "method": "cash", "note": ""}
    return {**data, "receipt": _photo(), **values}


def _waiting_pages(w: World, expense: Any, i: int) -> list[str]:
    return [_console("console_funds"), _fund_console("console_fund", w)]


def _new_expense_reject_url(w: World) -> str:
    """A new waiting expense recorded by the treasurer, for staff to reject, per string."""
    from linju.funding import services
    from tests.funding.conftest import receipt_photo

    expense = services.expense_record(
        actor=w.users["resident"],
        fund=_hostile_fund(w),
        payee="五金店",
        amount="2",
        category="other",
        receipt=receipt_photo(),
    )
    return _console("console_expense_reject", expense.pk)


def _new_entry_reverse_url(w: World) -> str:
    """A new ¥1 contribution of the fund, for staff to reverse, per string."""
    from linju.funding import services

    entry = services.contribution_record(
        actor=w.users["resident"], fund=_hostile_fund(w), amount="1", method="cash"
    )
    return _fund_console("console_entry_reverse", w, entry.pk)


def _ledger_pages(w: World, obj: Any, i: int) -> list[str]:
    return [
        reverse("fund_detail", args=["here", _hostile_fund(w).pk]),
        _fund_console("console_fund", w),
    ]


def _pledge_pages(w: World, pledge: Any, i: int) -> list[str]:
    return [
        reverse("fund_detail", args=["here", _hostile_fund(w).pk]),
        _fund_console("console_fund_material", w),
    ]


NO_PAGE_YET = "no page edits it yet; add an entry here when one does"
SYSTEM = "system-written: the audit log records what services did, nobody types it"
SECURITY = "system-written: the security log records refusals and sign-ins, no page shows it"
NOTIFY_SYSTEM = "system-written: the background worker records how a delivery went"
WECHAT = "given by WeChat's servers after a sign-in code was exchanged, never typed"

FIELD_ENTRY: dict[str, Exempt | ViaPage | Coerced | list[ViaPage]] = {
    # --- community ----------------------------------------------------------------------------
    "community.Street.name": ViaPage(
        url=lambda w: reverse("platform"),
        data=lambda w, text, i: _estate_setup(w, i, street_name=text),
        stored=lambda w, text, i: _first(Street.objects.filter(name=text)),
        shown_on=_new_street_pages,
        as_role="admin",
    ),
    "community.Street.slug": ViaPage(
        url=lambda w: reverse("platform"),
        data=lambda w, text, i: _estate_setup(w, i, street_slug=text),
        stored=lambda w, text, i: _first(Street.objects.filter(slug=text)),
        as_role="admin",
    ),
    "community.Street.district": Exempt(NO_PAGE_YET),
    "community.Street.city": Exempt(NO_PAGE_YET),
    "community.Estate.name": ViaPage(
        url=lambda w: reverse("platform"),
        data=lambda w, text, i: _estate_setup(w, i, estate_name=text),
        stored=lambda w, text, i: _first(Estate.objects.filter(name=text)),
        shown_on=_new_estate_pages,
        as_role="admin",
    ),
    "community.Estate.slug": ViaPage(
        url=lambda w: reverse("platform"),
        data=lambda w, text, i: _estate_setup(w, i, estate_slug=text),
        stored=lambda w, text, i: _first(Estate.objects.filter(slug=text)),
        as_role="admin",
    ),
    "community.Estate.address": Exempt(NO_PAGE_YET),
    "community.Estate.description": Exempt(NO_PAGE_YET),
    "community.Building.number": ViaPage(
        url=lambda w: _console("console_building_create"),
        data=lambda w, text, i: {"number": text, "name": "", "floors": ""},
        stored=lambda w, text, i: _first(Building.objects.filter(estate=w.here, number=text)),
        shown_on=_building_pages,
    ),
    "community.Building.name": [
        ViaPage(
            url=lambda w: _console("console_building_create"),
            data=lambda w, text, i: {"number": f"n{i}", "name": text, "floors": ""},
            stored=lambda w, text, i: _first(Building.objects.filter(estate=w.here, name=text)),
            shown_on=_building_pages,
        ),
        ViaPage(
            url=lambda w: _console("console_building_edit", "1"),
            data=lambda w, text, i: {"name": text, "floors": "", "description": ""},
            stored=lambda w, text, i: _first(Building.objects.filter(pk=w.b1.pk, name=text)),
            shown_on=_building_pages,
            edits=True,
            label="edit",
        ),
    ],
    "community.Building.description": ViaPage(
        url=lambda w: _console("console_building_edit", "1"),
        data=lambda w, text, i: {"name": "", "floors": "", "description": text},
        stored=lambda w, text, i: _first(Building.objects.filter(pk=w.b1.pk, description=text)),
        shown_on=lambda w, b, i: [reverse("building_detail", args=["here", "1"])],
        edits=True,
        label="edit",
    ),
    "community.Entrance.number": ViaPage(
        url=lambda w: _console("console_flat_create"),
        data=lambda w, text, i: _flat_create(w, i, entrance=text),
        stored=lambda w, text, i: _first(Flat.objects.filter(entrance__number=text)),
        shown_on=_flat_pages,
    ),
    "community.Owner.kind": Exempt(NO_PAGE_YET),
    "community.Owner.name": Exempt(NO_PAGE_YET),
    "community.Flat.number": ViaPage(
        url=lambda w: _console("console_flat_create"),
        data=lambda w, text, i: _flat_create(w, i, number=text),
        stored=lambda w, text, i: _first(Flat.objects.filter(building=w.b1, number=text)),
        shown_on=_flat_pages,
    ),
    "community.Flat.area_source": ViaPage(
        url=lambda w: _console("console_flat_create"),
        data=lambda w, text, i: _flat_create(w, i, area_source=text),
        stored=lambda w, text, i: _first(Flat.objects.filter(area_source=text)),
    ),
    "community.Person.full_name": [
        ViaPage(
            url=lambda w: _console("console_person_create"),
            data=lambda w, text, i: {"full_name": text, "phone": "", "note": ""},
            stored=lambda w, text, i: _first(Person.objects.filter(full_name=text)),
            shown_on=_person_pages,
        ),
        ViaPage(
            # person2 lives at flat 2-201, whose page names its occupants.
            url=lambda w: _console("console_person", w.person2.pk),
            data=lambda w, text, i: {"full_name": text, "phone": "", "note": ""},
            stored=lambda w, text, i: _first(
                Person.objects.filter(pk=w.person2.pk, full_name=text)
            ),
            shown_on=_person_pages,
            edits=True,
            label="edit",
        ),
    ],
    "community.Person.phone": [
        ViaPage(
            url=lambda w: _console("console_person_create"),
            data=lambda w, text, i: {"full_name": f"人{i}", "phone": text, "note": ""},
            stored=lambda w, text, i: _first(Person.objects.filter(phone=text)),
            shown_on=_person_pages,
        ),
        ViaPage(
            url=lambda w: _console("console_person", w.person2.pk),
            data=lambda w, text, i: {"full_name": "王邻居", "phone": text, "note": ""},
            stored=lambda w, text, i: _first(Person.objects.filter(phone=text)),
            shown_on=_person_pages,
            edits=True,
            label="edit",
        ),
    ],
    "community.Person.note": [
        ViaPage(
            url=lambda w: _console("console_person_create"),
            data=lambda w, text, i: {"full_name": f"人{i}", "phone": "", "note": text},
            stored=lambda w, text, i: _first(Person.objects.filter(note=text)),
            # The note is shown in the edit form on the person's page.
            shown_on=lambda w, p, i: [_console("console_person", p.pk)],
        ),
        ViaPage(
            url=lambda w: _console("console_person", w.person2.pk),
            data=lambda w, text, i: {"full_name": "王邻居", "phone": "", "note": text},
            stored=lambda w, text, i: _first(Person.objects.filter(pk=w.person2.pk, note=text)),
            shown_on=lambda w, p, i: [_console("console_person", p.pk)],
            edits=True,
            label="edit",
        ),
    ],
    "community.Occupancy.relation": ViaPage(
        url=lambda w: _console("console_occupancy_create", w.person2.pk),
        data=lambda w, text, i: {"flat": "1-101", "relation": text},
        stored=lambda w, text, i: _first(Occupancy.objects.filter(relation=text)),
    ),
    "community.Role.kind": ViaPage(
        url=lambda w: _console("console_roles"),
        data=lambda w, text, i: {"account": "outsider", "kind": text, "building": ""},
        stored=lambda w, text, i: _first(Role.objects.filter(kind=text)),
    ),
    "community.RosterImport.original_name": Exempt(
        "the name of an uploaded file, not typed into a field (Django keeps its last path "
        "part); tests/community/roster/test_views.py uploads files named with every corpus "
        "string and checks each roster page shows the name escaped"
    ),
    "community.RosterImport.file_kind": Exempt("set from the file's content (xlsx or csv)"),
    "community.RosterImport.status": Exempt("set by the import's services as it goes"),
    # --- core ---------------------------------------------------------------------------------
    "core.User.password": ViaPage(
        url=lambda w: reverse("platform"),
        data=lambda w, text, i: _estate_setup(w, i, staff_password=text),
        stored=lambda w, text, i: _first(User.objects.filter(username=f"staff{i}")),
        shown_on=lambda w, u, i: [reverse("platform"), *_new_staff_pages(w, u, i)],
        as_role="admin",
        secret=True,
    ),
    "core.User.username": ViaPage(
        url=lambda w: reverse("platform"),
        # Without a display name, the sign-in name is how the account is shown.
        data=lambda w, text, i: _estate_setup(w, i, staff_username=text, staff_display_name=""),
        stored=lambda w, text, i: _first(User.objects.filter(username=text)),
        shown_on=_new_staff_pages,
        as_role="admin",
    ),
    "core.User.display_name": [
        ViaPage(
            url=lambda w: reverse("platform"),
            data=lambda w, text, i: _estate_setup(w, i, staff_display_name=text),
            stored=lambda w, text, i: _first(User.objects.filter(display_name=text)),
            shown_on=_new_staff_pages,
            as_role="admin",
        ),
        # Residents name themselves at sign-up (tests/accounts/test_views.py runs the corpus
        # through the sign-up page, one new account per string) and change it here.
        ViaPage(
            url=lambda w: reverse("account_settings"),
            data=lambda w, text, i: {"display_name": text},
            stored=lambda w, text, i: _first(
                User.objects.filter(username="resident", display_name=text)
            ),
            shown_on=lambda w, u, i: [reverse("account_settings")],
            as_role="resident",
            edits=True,
            label="own settings",
        ),
    ],
    "core.User.language": Coerced(
        url=lambda w: reverse("language_set"),
        data=lambda w, text: {"language": text, "next": "/"},
        value=lambda w: User.objects.get(username="resident").language,
        allowed=frozenset(code for code, _name in settings.LANGUAGES),
        cookie=settings.LANGUAGE_COOKIE_NAME,
    ),
    "core.User.phone": Exempt(
        "set only from a number that received a sign-up code, normalised to E.164 or refused "
        "(tests/accounts/test_services.py); staff_account_create normalises it too "
        "(tests/community/test_services.py)"
    ),
    "core.User.first_name": Exempt("Django's own field; Linju neither asks for it nor shows it"),
    "core.User.last_name": Exempt("Django's own field; Linju neither asks for it nor shows it"),
    "core.User.email": Exempt("Django's own field; Linju neither asks for it nor shows it"),
    "core.AuditEvent.actor_label": Exempt(SYSTEM),
    "core.AuditEvent.action": Exempt(SYSTEM),
    "core.AuditEvent.target_type": Exempt(SYSTEM),
    "core.AuditEvent.target_id": Exempt(SYSTEM),
    "core.AuditEvent.target_label": Exempt(SYSTEM + " (copied from names checked above)"),
    "core.AuditEvent.request_id": Exempt(SYSTEM + " (tests/core/test_audit.py)"),
    "core.SecurityEvent.username": Exempt(SECURITY),
    "core.SecurityEvent.event": Exempt(SECURITY),
    "core.SecurityEvent.detail": Exempt(SECURITY),
    "core.SecurityEvent.request_id": Exempt(SECURITY),
    # --- accounts -----------------------------------------------------------------------------
    "accounts.PhoneCode.phone": Exempt(
        "written only as the E.164 form of a typed number, or the request is refused "
        "(tests/accounts/test_services.py)"
    ),
    "accounts.PhoneCode.purpose": Exempt("system-written: sign_in or sign_up, set by the page"),
    "accounts.PhoneCode.nonce": Exempt("system-written: random, never typed or shown"),
    "accounts.Consent.kind": Exempt("system-written: one of two kinds, set by the service"),
    "accounts.Consent.version": Exempt("system-written: the privacy notice's version"),
    # --- notifications and WeChat ---------------------------------------------------------
    "notifications.Notification.kind": Exempt("system-written: the calling service names it"),
    "notifications.Notification.title": Exempt(
        "written by services through notify(), which may carry text people typed elsewhere; "
        "tests/notifications/test_views.py runs the corpus through notify() and the inbox"
    ),
    "notifications.Notification.body": Exempt(
        "written by services through notify(); the corpus is checked on the inbox "
        "(tests/notifications/test_views.py)"
    ),
    "notifications.Notification.url": Exempt(
        "system-written: a path on this site, anything else is refused by notify() "
        "(tests/notifications/test_notify.py)"
    ),
    "notifications.Delivery.channel": Exempt(NOTIFY_SYSTEM),
    "notifications.Delivery.status": Exempt(NOTIFY_SYSTEM),
    "notifications.Delivery.reason": Exempt(NOTIFY_SYSTEM),
    "notifications.Delivery.last_error": Exempt(NOTIFY_SYSTEM + " (the provider's error)"),
    "wechat.WeChatIdentity.appid": Exempt(WECHAT),
    "wechat.WeChatIdentity.openid": Exempt(
        WECHAT + "; refused unless it has the shape of an openid (tests/wechat/test_services.py)"
    ),
    "wechat.WeChatIdentity.unionid": Exempt(WECHAT),
    # --- membership ---------------------------------------------------------------------------
    "membership.JoinCode.code": Exempt(
        "system-written: drawn at random from the code alphabet; a typed code is only looked up "
        "(tests/membership/test_views.py sends hostile codes)"
    ),
    "membership.JoinRequest.relation": ViaPage(
        url=_join_url,
        data=lambda w, text, i: _new_join(w, relation=text, full_name=f"人{i}"),
        stored=lambda w, text, i: _first(JoinRequest.objects.filter(relation=text)),
        as_role="outsider",
    ),
    "membership.JoinRequest.full_name": ViaPage(
        url=_join_url,
        data=lambda w, text, i: _new_join(w, relation="family", full_name=text),
        stored=lambda w, text, i: _first(
            JoinRequest.objects.filter(full_name=text, status="pending")
        ),
        shown_on=lambda w, r, i: [reverse("my_home")],
        as_role="outsider",
        edits=True,
    ),
    "membership.JoinRequest.status": Exempt("system-written: set by the services"),
    "membership.SlipPrint.status": Exempt("system-written: set by the background worker"),
    "membership.SlipPrint.site_url": Exempt(
        "system-written: the site's own address, from the request that asked for the print"
    ),
    "membership.JoinRequest.reason": ViaPage(
        url=_waiting_request_reject_url,
        data=lambda w, text, i: {"reason": text},
        stored=lambda w, text, i: _first(JoinRequest.objects.filter(reason=text)),
        shown_on=lambda w, r, i: [reverse("join_requests", args=["here"])],
    ),
    "membership.Delegation.note": ViaPage(
        url=lambda w: _console("console_delegation_grant", w.person1.pk),
        data=lambda w, text, i: _new_delegation(w, text),
        stored=lambda w, text, i: _first(Delegation.objects.filter(note=text)),
        shown_on=lambda w, d, i: [_console("console_person", w.person1.pk)],
        edits=True,
    ),
    "wechat.WeChatSubscription.template_id": Exempt(
        "only the site's own template ids are recorded (tests/wechat/test_services.py)"
    ),
    # --- decisions ----------------------------------------------------------------------------
    "decisions.Decision.title": [
        ViaPage(
            url=lambda w: _console("console_decision_create"),
            data=lambda w, text, i: _vote_form(w, i, title=text),
            stored=lambda w, text, i: _first(Decision.objects.filter(estate=w.here, title=text)),
            shown_on=_draft_pages,
        ),
        ViaPage(
            url=lambda w: _console("console_decision_edit", _decision(w, "draft").pk),
            data=lambda w, text, i: _vote_form(w, i, title=text),
            stored=lambda w, text, i: _first(
                Decision.objects.filter(pk=_decision(w, "draft").pk, title=text)
            ),
            shown_on=_draft_pages,
            edits=True,
            label="edit",
        ),
    ],
    "decisions.Decision.body": [
        ViaPage(
            url=lambda w: _console("console_decision_create"),
            data=lambda w, text, i: _vote_form(w, i, body=text),
            stored=lambda w, text, i: _first(Decision.objects.filter(estate=w.here, body=text)),
            shown_on=lambda w, d, i: [
                reverse("decision_detail", args=["here", d.pk]),
                _console("console_decision_edit", d.pk),
            ],
        ),
        ViaPage(
            url=lambda w: _console("console_decision_edit", _decision(w, "draft").pk),
            data=lambda w, text, i: _vote_form(w, i, body=text),
            stored=lambda w, text, i: _first(
                Decision.objects.filter(pk=_decision(w, "draft").pk, body=text)
            ),
            shown_on=lambda w, d, i: [
                reverse("decision_detail", args=["here", d.pk]),
                _console("console_decision_edit", d.pk),
            ],
            edits=True,
            label="edit",
        ),
    ],
    "decisions.Decision.cancel_reason": ViaPage(
        url=lambda w: _console("console_decision_action", _decision(w, "announced").pk, "cancel"),
        data=lambda w, text, i: _cancel(w, text),
        stored=lambda w, text, i: _first(
            Decision.objects.filter(
                pk=_decision(w, "announced").pk, status="cancelled", cancel_reason=text
            )
        ),
        shown_on=_cancelled_pages,
        edits=True,
    ),
    "decisions.Decision.kind": Exempt("chosen on the first step; any other kind is refused"),
    "decisions.Decision.status": Exempt("system-written: set by the lifecycle services"),
    "decisions.Decision.revote": Exempt("chosen from two rules; any other value is refused"),
    "decisions.Decision.unit": Exempt("chosen from two units; any other value is refused"),
    "decisions.Decision.method": Exempt("chosen from three methods; any other is refused"),
    "decisions.Decision.roll_fingerprint": Exempt("system-written: a SHA-256 of the roll"),
    "decisions.Option.label": ViaPage(
        url=lambda w: _console("console_decision_create"),
        data=lambda w, text, i: _residents_vote_form(w, text, i),
        stored=_first_option,
        shown_on=_option_pages,
    ),
    "decisions.Option.description": Exempt(NO_PAGE_YET),
    "decisions.RollEntry.ref": Exempt("system-written: the voter's number, O-00012 and the like"),
    "decisions.RollEntry.kind": Exempt("system-written: set when the roll is built"),
    "decisions.RollFlat.label": Exempt(
        "system-written: copied from the flat's building and number (checked above) when the "
        "roll is built"
    ),
    "decisions.RollAmendment.flat_label": ViaPage(
        # Typed only to find a flat on the roll; none of the corpus names one, so each string is
        # refused with a message (what is stored is the roll's own label).
        url=lambda w: _console("console_decision_amend", _decision(w, "open").pk),
        data=lambda w, text, i: _amend(w, i, flat_label=text),
        stored=lambda w, text, i: _first(RollAmendment.objects.filter(flat_label=text)),
        label="find a flat",
    ),
    "decisions.RollAmendment.reason": ViaPage(
        url=lambda w: _console("console_decision_amend", _decision(w, "open").pk),
        data=lambda w, text, i: _amend(w, i, reason=text),
        stored=lambda w, text, i: _first(RollAmendment.objects.filter(reason=text)),
        shown_on=_amendment_pages,
    ),
    "decisions.RollAmendment.fingerprint_before": Exempt("system-written: a SHA-256 of the roll"),
    "decisions.RollAmendment.fingerprint_after": Exempt("system-written: a SHA-256 of the roll"),
    "decisions.Ballot.choice": Exempt(
        "one of agree, disagree or abstain; the ballot form and the services refuse any other"
    ),
    "decisions.Ballot.channel": Exempt("system-written: set by the service that stores it"),
    "decisions.Ballot.proxy_name": Exempt(
        "copied from two matching paper entries (PaperEntry.proxy_name, checked here); "
        "tests/decisions/test_paper_views.py sends every corpus string through two matching "
        "entries and checks the ballot holds it exactly and the paper page shows it escaped"
    ),
    "decisions.Ballot.receipt": Exempt("system-written: drawn at random, never typed"),
    "decisions.Ballot.superseded_reason": Exempt("system-written: a code set by the services"),
    "decisions.PaperEntry.channel": Exempt("chosen from two; any other value is refused"),
    "decisions.PaperEntry.choice": Exempt(
        "one of agree, disagree or abstain; the form and the services refuse any other"
    ),
    "decisions.PaperEntry.proxy_name": ViaPage(
        url=lambda w: reverse("decision_paper", args=["here", _decision(w, "open").pk]),
        data=lambda w, text, i: _proxy_letter(w, text),
        stored=lambda w, text, i: _first(PaperEntry.objects.filter(proxy_name=text)),
        # A reading waiting for its second entry is not shown (the second reader must not see
        # it); a reading shown beside a differing one is checked in test_paper_views.py.
    ),
    "decisions.PaperEntry.status": Exempt("system-written: set by the double-entry service"),
    "decisions.NoticeDelivery.channel": Exempt("system-written: set by the service"),
    "decisions.NoticeDelivery.reference": ViaPage(
        url=lambda w: _console("console_decision_served", _decision(w, "open").pk) + "?building=1",
        data=lambda w, text, i: {"entries": [_voter_on(w, "1-101")], "note": text},
        stored=lambda w, text, i: _first(
            NoticeDelivery.objects.filter(channel="paper", reference=text)
        ),
        # No page shows the note; it goes into the record's exports.
    ),
    "decisions.BallotLink.nonce": Exempt("system-written: random, never typed or shown"),
    # --- notices ------------------------------------------------------------------------------
    "notices.Notice.title": [
        ViaPage(
            url=lambda w: _console("console_notice_create"),
            data=lambda w, text, i: _notice_form(w, i, title=text),
            stored=lambda w, text, i: _first(Notice.objects.filter(estate=w.here, title=text)),
            shown_on=_notice_pages,
        ),
        ViaPage(
            url=lambda w: _console("console_notice_edit", _notice(w, "draft").pk),
            data=lambda w, text, i: _notice_form(w, i, title=text),
            stored=lambda w, text, i: _first(
                Notice.objects.filter(pk=_notice(w, "draft").pk, title=text)
            ),
            shown_on=_notice_pages,
            edits=True,
            label="edit",
        ),
    ],
    "notices.Notice.body": [
        ViaPage(
            url=lambda w: _console("console_notice_create"),
            data=lambda w, text, i: _notice_form(w, i, body=text),
            stored=lambda w, text, i: _first(Notice.objects.filter(estate=w.here, body=text)),
            shown_on=_notice_body_pages,
        ),
        ViaPage(
            url=lambda w: _console("console_notice_edit", _notice(w, "draft").pk),
            data=lambda w, text, i: _notice_form(w, i, body=text),
            stored=lambda w, text, i: _first(
                Notice.objects.filter(pk=_notice(w, "draft").pk, body=text)
            ),
            shown_on=_notice_body_pages,
            edits=True,
            label="edit",
        ),
    ],
    "notices.Notice.withdraw_reason": ViaPage(
        url=lambda w: _console("console_notice_withdraw", _notice(w, "published").pk),
        data=lambda w, text, i: _withdraw(w, text),
        stored=lambda w, text, i: _first(
            Notice.objects.filter(
                pk=_notice(w, "published").pk, status="withdrawn", withdraw_reason=text
            )
        ),
        shown_on=_withdrawn_pages,
        edits=True,
    ),
    "notices.Notice.category": Exempt("chosen from the six categories; any other is refused"),
    "notices.Notice.status": Exempt("system-written: set by the lifecycle services"),
    "notices.NoticeAttachment.original_name": Exempt(
        "the uploaded file's name, cleaned (no folders or control characters, at most 200 "
        "characters, its real type as the ending); tests/notices/test_hostile_names.py sends "
        "every corpus string as a file name and checks the pages show it escaped"
    ),
    "notices.NoticeAttachment.kind": Exempt("system-written: the type found in the content"),
    # --- funding ------------------------------------------------------------------------------
    "funding.Fund.title": ViaPage(
        url=lambda w: _console("console_fund_create"),
        data=lambda w, text, i: _fund_form(w, i, title=text),
        stored=lambda w, text, i: _first(Fund.objects.filter(estate=w.here, title=text)),
        shown_on=_fund_pages,
    ),
    "funding.Fund.purpose": ViaPage(
        url=lambda w: _console("console_fund_create"),
        data=lambda w, text, i: _fund_form(w, i, purpose=text),
        stored=lambda w, text, i: _first(Fund.objects.filter(estate=w.here, purpose=text)),
        shown_on=lambda w, fund, i: [reverse("fund_detail", args=["here", fund.pk])],
    ),
    "funding.Fund.match_source": ViaPage(
        url=lambda w: _console("console_fund_create"),
        data=lambda w, text, i: _fund_form(
            w, i, match_source=text, match_ratio="1", match_cap="100"
        ),
        stored=lambda w, text, i: _first(Fund.objects.filter(match_source=text)),
        shown_on=lambda w, fund, i: [
            reverse("fund_detail", args=["here", fund.pk]),
            _console("console_fund", fund.pk),
        ],
    ),
    "funding.Fund.currency": Exempt("always CNY; no page sets it"),
    "funding.Fund.status": Exempt("raising or closed; no page sets it yet"),
    "funding.Pledge.kind": Exempt("money or materials; the form and the service refuse others"),
    "funding.Pledge.description": ViaPage(
        url=lambda w: _fund_console("fund_pledge", w),
        data=lambda w, text, i: {"kind": "material", "description": text, "shown_as": "flat"},
        stored=lambda w, text, i: _first(Pledge.objects.filter(description=text)),
        shown_on=_pledge_pages,
        as_role="resident",
    ),
    "funding.Pledge.unit": ViaPage(
        url=lambda w: _fund_console("fund_pledge", w),
        data=lambda w, text, i: {
            "kind": "material",
            "description": f"材料{i}",
            "quantity": "2",
            "unit": text,
            "shown_as": "flat",
        },
        stored=lambda w, text, i: _first(Pledge.objects.filter(unit=text)),
        shown_on=lambda w, p, i: [reverse("fund_detail", args=["here", p.fund_id])],
        as_role="resident",
    ),
    "funding.Pledge.shown_as": Exempt("flat, name or anonymous; the form refuses any other"),
    "funding.Pledge.status": Exempt("system-written: set as what was pledged arrives"),
    "funding.Expense.payee": ViaPage(
        url=lambda w: _fund_console("console_fund_expense", w),
        data=lambda w, text, i: _expense_form(w, payee=text),
        stored=lambda w, text, i: _first(Expense.objects.filter(payee=text)),
        shown_on=_waiting_pages,
    ),
    "funding.Expense.note": ViaPage(
        url=lambda w: _fund_console("console_fund_expense", w),
        data=lambda w, text, i: _expense_form(w, note=text),
        stored=lambda w, text, i: _first(Expense.objects.filter(note=text)),
        shown_on=lambda w, e, i: [_console("console_funds")],
    ),
    "funding.Expense.overdraft_reason": ViaPage(
        url=lambda w: _fund_console("console_fund_expense", w),
        data=lambda w, text, i: _expense_form(w, amount="5000", overdraft_reason=text),
        stored=lambda w, text, i: _first(Expense.objects.filter(overdraft_reason=text)),
        shown_on=_waiting_pages,
    ),
    "funding.Expense.reject_reason": ViaPage(
        url=_new_expense_reject_url,
        data=lambda w, text, i: {"reason": text},
        stored=lambda w, text, i: _first(Expense.objects.filter(reject_reason=text)),
        shown_on=lambda w, e, i: [_fund_console("console_fund", w)],
    ),
    "funding.Expense.category": Exempt("one of six categories; the form refuses any other"),
    "funding.Expense.method": Exempt("one of four ways to pay; the form refuses any other"),
    "funding.Expense.status": Exempt("system-written: set by the approval services"),
    "funding.LedgerEntry.kind": Exempt("system-written: set by the service that records it"),
    "funding.LedgerEntry.method": Exempt("one of four ways to pay; the form refuses any other"),
    "funding.LedgerEntry.reference": ViaPage(
        url=lambda w: _fund_console("console_fund_contribution", w),
        data=lambda w, text, i: {"amount": "1", "method": "wechat", "reference": text},
        stored=lambda w, text, i: _first(LedgerEntry.objects.filter(reference=text)),
        shown_on=_ledger_pages,
    ),
    "funding.LedgerEntry.description": ViaPage(
        url=lambda w: _fund_console("console_fund_contribution", w),
        data=lambda w, text, i: {"amount": "1", "method": "cash", "description": text},
        stored=lambda w, text, i: _first(LedgerEntry.objects.filter(description=text)),
        shown_on=_ledger_pages,
    ),
    "funding.LedgerEntry.donor": Exempt(
        "copied from the pledger's flat number or name (checked above) as the donor chose"
    ),
    "funding.LedgerEntry.reason": ViaPage(
        url=_new_entry_reverse_url,
        data=lambda w, text, i: {"reason": text},
        stored=lambda w, text, i: _first(LedgerEntry.objects.filter(kind="reversal", reason=text)),
        shown_on=_ledger_pages,
    ),
    "funding.LedgerEntry.prev_hash": Exempt("system-written: a SHA-256 of the chain"),
    "funding.LedgerEntry.hash": Exempt("system-written: a SHA-256 of the chain"),
    "funding.LedgerHead.hash": Exempt("system-written: a SHA-256 of the chain"),
    "funding.IdempotentRequest.key": Exempt(
        "sent by API clients in a header, refused unless it is 8-80 letters, digits or ._:- "
        "(tests/funding/test_api.py); no page shows it"
    ),
    "funding.IdempotentRequest.endpoint": Exempt("system-written: the API call it answered"),
    "funding.DisclosureReport.period": Exempt("monthly or quarterly, set by the report task"),
    "funding.DisclosureReport.period_hash": Exempt("system-written: a SHA-256"),
    "funding.DisclosureReport.chain_hash": Exempt("system-written: the chain head it printed"),
}


def _text_fields() -> list[str]:
    names = []
    for app_label in (
        "community",
        "core",
        "accounts",
        "notifications",
        "wechat",
        "membership",
        "decisions",
        "notices",
        "funding",
    ):
        for model in apps.get_app_config(app_label).get_models():
            for f in model._meta.get_fields():
                if isinstance(f, models.CharField | models.TextField) and not f.auto_created:
                    names.append(f"{model._meta.label}.{f.name}")
    return names


def test_every_text_field_has_an_entry():
    """A CharField or TextField added to a model of the apps checked here needs an entry."""
    missing = sorted(set(_text_fields()) - set(FIELD_ENTRY))
    assert missing == [], f"add FIELD_ENTRY rows for: {', '.join(missing)}"
    gone = sorted(set(FIELD_ENTRY) - set(_text_fields()))
    assert gone == [], f"FIELD_ENTRY names fields that are gone: {gone}"


def _counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in COUNTED}


def _client(world: World, role: str) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(world.user(role))
    return client


def _submit(world: World, client: Client, name: str, entry: ViaPage, key: str, i: int):
    """Submit one corpus string; return the stored row (None if refused)."""
    text = CORPUS[key]
    # The way in may first set up what the page needs (a vote to amend); only what the post
    # writes is counted.
    url, data = entry.url(world), entry.data(world, text, i)
    before = _counts()
    response = client.post(url, data)
    html = response.content.decode()
    where = f"{name} ← {key}"
    assert response.status_code < 500, where
    assert_no_live_markup(html)
    if "\x00" in text:
        # Refused before any view (no text column may hold a NUL; PostgreSQL cannot even be
        # asked whether one was stored).
        assert response.status_code == 400, where
        assert _counts() == before, f"{where}: refused but something was written"
        return None
    stored = entry.stored(world, text, i)
    if response.status_code == 302:
        assert stored is not None, f"{where}: accepted but not stored as typed"
    else:
        assert 400 <= response.status_code < 500, where
        assert 'class="field-error"' in html or "errorlist" in html, f"{where}: no message"
        assert stored is None, f"{where}: refused but written"
        assert _counts() == before, f"{where}: refused but something was written"
        if entry.secret:
            assert text not in html and escape(text) not in html, f"{where}: secret echoed"
    return stored


def _check_pages(client: Client, expected: dict[str, list[tuple[str, str]]], secret: bool):
    for url, items in expected.items():
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        assert_no_live_markup(html)
        for key, text in items:
            if secret:
                assert text not in html and escape(text) not in html, f"{key} shown on {url}"
            else:
                try:
                    assert_shown_escaped(html, text)
                except AssertionError as exc:
                    raise AssertionError(f"{url}: {exc}") from None


def _ways_in(name: str) -> list[ViaPage]:
    entry = FIELD_ENTRY[name]
    if isinstance(entry, ViaPage):
        return [entry]
    return entry if isinstance(entry, list) else []


ENTRIES = [
    pytest.param(name, entry, id=f"{name}-{entry.label}")
    for name in FIELD_ENTRY
    for entry in _ways_in(name)
]


@pytest.mark.parametrize(("name", "entry"), ENTRIES)
def test_hostile_text_through_the_page(world, name, entry):
    """Every corpus string, typed into the page that authors this field, is either stored and
    shown escaped wherever the field appears, or refused with a message and nothing written."""
    client = _client(world, entry.as_role)
    expected: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for i, key in enumerate(CORPUS):
        stored = _submit(world, client, name, entry, key, i)
        if stored is None:
            continue
        for url in entry.shown_on(world, stored, i):
            expected[url].append((key, CORPUS[key]))
        if entry.edits:
            _check_pages(client, expected, entry.secret)
            expected.clear()
    _check_pages(client, expected, entry.secret)


COERCED = [name for name, entry in FIELD_ENTRY.items() if isinstance(entry, Coerced)]


@pytest.mark.parametrize("name", COERCED)
def test_hostile_text_is_replaced_by_an_allowed_value(world, name):
    """Fields the page fills from a fixed list keep one of the list's values, whatever is sent,
    and the cookie set alongside carries an allowed value too."""
    entry = FIELD_ENTRY[name]
    assert isinstance(entry, Coerced)
    client = _client(world, "resident")
    for key, text in CORPUS.items():
        response = client.post(entry.url(world), entry.data(world, text))
        # A NUL is refused outright (400) before the page sees it; anything else is coerced.
        assert response.status_code == (400 if "\x00" in text else 302), key
        assert entry.value(world) in entry.allowed, key
        if entry.cookie and response.status_code == 302:
            assert response.cookies[entry.cookie].value in entry.allowed, key
        page = client.get(reverse("home"))
        assert page.status_code == 200, key
        assert_no_live_markup(page.content.decode())
