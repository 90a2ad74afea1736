"""The talents directory: nothing is shown without consent (pages, API, project showcase);
withdrawing hides everything at once; a credit shows only after the talent accepts; refusals
write nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from linju.api.tokens import api_token_issue
from linju.core.models import AuditEvent
from linju.projects.models import Project
from linju.talents import selectors, services
from linju.talents.models import ProjectCredit, TalentProfile, TalentWork
from tests import factories as f
from tests.notices.factories import png


def bearer(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=user, label='test')}"}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people(world):
    """The resident (a calligrapher who consented) and a neighbour who did not."""
    shy_user = f.UserFactory(username="shy")
    shy = f.PersonFactory(estate=world.here, full_name="不愿露面", user=shy_user)
    f.OccupancyFactory(flat=f.FlatFactory(building=world.b1, number="109"), person=shy)
    shown = services.profile_create(
        actor=world.users["resident"],
        estate=world.here,
        display_name="李老师",
        profile="写了四十年毛笔字",
        skills=["calligraphy"],
        consent=True,
    )
    hidden = services.profile_create(
        actor=shy_user,
        estate=world.here,
        display_name="隐身画家",
        skills=["painting"],
        consent=False,
    )
    project = Project.objects.create(estate=world.here, building=world.b1, title="书写楼道公约")
    return {"shown": shown, "hidden": hidden, "shy": shy_user, "project": project}


def test_without_consent_nothing_is_shown_anywhere(world, people):
    member = world.users["staff"]
    listed = selectors.directory(actor=member, estate=world.here)
    assert [p.display_name for p in listed] == ["李老师"]
    page = client_for(member).get(reverse("talents", args=["here"])).content.decode()
    assert "李老师" in page and "隐身画家" not in page
    detail = client_for(member).get(reverse("talent_detail", args=["here", people["hidden"].pk]))
    assert detail.status_code == 404
    rows = Client().get("/api/talents?estate=here", **bearer(member)).json()
    assert [r["name"] for r in rows] == ["李老师"]
    api_detail = Client().get(f"/api/talents/{people['hidden'].pk}", **bearer(member))
    assert api_detail.status_code == 404
    own = client_for(people["shy"]).get(
        reverse("talent_detail", args=["here", people["hidden"].pk])
    )
    assert own.status_code == 200


def test_only_members_open_the_directory(world, people):
    for role in ("outsider", "staff_other_estate"):
        response = client_for(world.users[role]).get(reverse("talents", args=["here"]))
        assert response.status_code == 404
    assert (
        Client().get("/api/talents?estate=here", **bearer(world.users["outsider"])).status_code
        == 404
    )


def test_filter_by_skill(world, people):
    member = world.users["leader"]
    assert list(selectors.directory(actor=member, estate=world.here, skill="painting")) == []
    assert len(selectors.directory(actor=member, estate=world.here, skill="calligraphy")) == 1


def test_a_credit_shows_on_the_showcase_only_after_acceptance(world, people):
    leader = world.users["leader"]
    credit = services.project_invite_talent(
        actor=leader, project=people["project"], profile=people["shown"], role="书写公约"
    )
    assert selectors.project_credits(project=people["project"]) == []
    section = selectors.project_section(project=people["project"], actor=None, showcase=True)
    assert section is None
    services.credit_accept(actor=world.users["resident"], credit=credit)
    section = selectors.project_section(project=people["project"], actor=None, showcase=True)
    assert section is not None
    assert [c.profile.display_name for c in section["context"]["talent_credits"]] == ["李老师"]


def test_withdrawal_hides_everything_at_once(world, people):
    credit = services.project_invite_talent(
        actor=world.users["staff"], project=people["project"], profile=people["shown"], role="书写"
    )
    services.credit_accept(actor=world.users["resident"], credit=credit)
    services.work_add(actor=world.users["resident"], profile=people["shown"], upload=png())
    work = TalentWork.objects.get()
    services.profile_withdraw(actor=world.users["resident"], profile=people["shown"])
    member = world.users["staff"]
    assert list(selectors.directory(actor=member, estate=world.here)) == []
    assert selectors.project_credits(project=people["project"]) == []
    photo = client_for(member).get(reverse("talent_work_photo", args=["here", work.pk, "thumb"]))
    assert photo.status_code == 404
    assert Client().get("/api/talents?estate=here", **bearer(member)).json() == []


def test_unticking_consent_in_the_form_hides_the_profile(world, people):
    response = client_for(world.users["resident"]).post(
        reverse("my_talent", args=["here"]),
        {"display_name": "李老师", "skills": ["calligraphy"]},
    )
    assert response.status_code == 302
    people["shown"].refresh_from_db()
    assert not people["shown"].is_shown


def test_only_leaders_and_staff_invite_and_only_shown_talents(world, people):
    count = ProjectCredit.objects.count()
    with pytest.raises(PermissionDenied):
        services.project_invite_talent(
            actor=world.users["leader_other_building"],
            project=people["project"],
            profile=people["shown"],
            role="书写",
        )
    with pytest.raises(ValidationError):
        services.project_invite_talent(
            actor=world.users["leader"],
            project=people["project"],
            profile=people["hidden"],
            role="画",
        )
    with pytest.raises(ValidationError):
        services.project_invite_talent(
            actor=world.users["leader"], project=people["project"], profile=people["shown"], role=""
        )
    assert ProjectCredit.objects.count() == count


def test_only_the_talent_answers_and_only_once(world, people):
    credit = services.project_invite_talent(
        actor=world.users["leader"], project=people["project"], profile=people["shown"], role="书写"
    )
    with pytest.raises(PermissionDenied):
        services.credit_accept(actor=world.users["leader"], credit=credit)
    services.credit_decline(actor=world.users["resident"], credit=credit)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        services.credit_accept(actor=world.users["resident"], credit=credit)
    assert AuditEvent.objects.count() == events
    assert selectors.project_credits(project=people["project"]) == []


def test_profiles_are_the_persons_own(world, people):
    with pytest.raises(PermissionDenied):
        services.profile_update(
            actor=world.users["staff"], profile=people["shown"], display_name="改名", skills=["law"]
        )
    with pytest.raises(PermissionDenied):
        services.profile_create(
            actor=world.users["outsider"], estate=world.here, display_name="x", skills=["law"]
        )
    with pytest.raises(ValidationError):
        services.profile_create(
            actor=world.users["resident"], estate=world.here, display_name="又一个", skills=["law"]
        )
    assert TalentProfile.objects.count() == 2


def test_a_work_that_is_not_a_photo_is_refused(world, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError):
        services.work_add(
            actor=world.users["resident"],
            profile=people["shown"],
            upload=SimpleUploadedFile("x.png", b"not an image", content_type="image/png"),
        )
    assert TalentWork.objects.count() == 0


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>'])
def test_hostile_profile_text_is_shown_escaped(world, people, text):
    from tests.hostile import assert_shown_escaped

    services.profile_update(
        actor=world.users["resident"],
        profile=people["shown"],
        display_name="李老师",
        profile_text=text,
        skills=["calligraphy"],
        consent=True,
    )
    page = client_for(world.users["staff"]).get(
        reverse("talent_detail", args=["here", people["shown"].pk])
    )
    assert_shown_escaped(page.content.decode(), text)
