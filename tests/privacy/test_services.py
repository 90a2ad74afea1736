"""My data (export) and deleting one's account."""

import io
import json

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.test import Client
from openpyxl import load_workbook

from linju.accounts.models import Consent
from linju.api.models import ApiToken
from linju.api.tokens import api_token_issue
from linju.community import services as community
from linju.community.models import Person
from linju.core import audit
from linju.core.models import AuditEvent, SecurityEvent
from linju.core.phones import national
from linju.notifications.models import Notification
from linju.privacy import services
from linju.privacy.services import account_delete, my_data_export
from tests.factories import DelegationFactory, JoinRequestFactory
from tests.notifications.factories import NotificationFactory


def _counts():
    return (
        get_user_model().objects.filter(is_active=True).count(),
        list(Person.objects.values_list("full_name", "phone")),
        AuditEvent.objects.count(),
        SecurityEvent.objects.count(),
    )


@pytest.fixture
def resident(world):
    user = world.users["resident"]
    user.display_name = "李居民"
    user.phone = world.person1.phone
    user.save()
    Consent.objects.create(
        user=user, kind="privacy_notice", version="2026-11", given_at=user.date_joined
    )
    JoinRequestFactory(flat=world.flat2, user=user, full_name="李居民", rejected=True)
    NotificationFactory(recipient=user, title="您的申请")
    NotificationFactory(recipient=world.users["staff"], title="王邻居的申请")
    audit.record_security(user=user, event="sign_in.code", detail="ok")
    return user


class TestMyDataExport:
    def test_json_has_the_residents_data_and_no_one_elses(self, world, resident):
        download = my_data_export(actor=resident, fmt="json")
        data = json.loads(download.content)
        text = download.content.decode()
        assert data["account"][0]["display_name"] == "李居民"
        assert data["account"][0]["phone"] == national(world.person1.phone)
        assert data["people"][0]["full_name"] == "李居民"
        assert data["occupancies"][0]["flat"] == "1-101"
        assert data["consents"][0]["version"] == "2026-11"
        assert data["join_requests"][0]["status"]
        assert [n["title"] for n in data["notifications"]] == ["您的申请"]
        assert any(e["event"] == "sign_in.code" for e in data["security_events"])
        for other in ("王邻居", world.person2.phone, national(world.person2.phone), "赵外人"):
            assert other not in text
        assert download.filename.endswith(".json")

    def test_download_is_a_security_event(self, resident):
        my_data_export(actor=resident, fmt="xlsx")
        event = SecurityEvent.objects.filter(event="my_data.export").get()
        assert (event.user, event.detail) == (resident, "xlsx")

    def test_xlsx_has_a_sheet_per_kind_and_neutralises_formulas(self, world, resident):
        resident.display_name = '=HYPERLINK("http://evil","click")'
        resident.save()
        workbook = load_workbook(io.BytesIO(my_data_export(actor=resident, fmt="xlsx").content))
        assert len(workbook.sheetnames) >= 10
        account = workbook.worksheets[0]
        assert account.cell(2, 2).value == "'" + resident.display_name
        assert account.cell(2, 2).data_type == "s"
        flats = workbook.worksheets[2]
        assert isinstance(flats.cell(2, 3).value, float)  # area stays a number

    def test_unknown_format_writes_nothing(self, resident):
        before = _counts()
        with pytest.raises(ValidationError):
            my_data_export(actor=resident, fmt="csv")
        assert _counts() == before

    def test_anonymous_is_refused(self, world):
        from django.contrib.auth.models import AnonymousUser

        with pytest.raises(PermissionDenied):
            my_data_export(actor=AnonymousUser(), fmt="json")


def _all_text_in_database() -> list[str]:
    """Every text and JSON value of every row of every model, as text."""
    texts = []
    for model in apps.get_models():
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))
        ]
        if not fields:
            continue
        for values in model._default_manager.values_list(*fields):
            texts += [
                v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for v in values
            ]
    return texts


class TestAccountDelete:
    def _rich_history(self, world, resident):
        """Staff edit the resident's record (the audit log then holds old and new names), the
        resident authorises a neighbour, has an app token and a session."""
        staff = world.users["staff"]
        community.person_update(actor=staff, person=world.person1, note="李居民的备注")
        community.person_update(actor=staff, person=world.person1, full_name="李居民")
        DelegationFactory(
            principal=world.person1, agent=world.users["outsider"], note="李居民书面委托"
        )
        api_token_issue(user=resident, label="wechat")
        Client().force_login(resident)

    def test_de_identifies_everywhere(self, world, resident):
        self._rich_history(world, resident)
        phone = world.person1.phone
        needles = ["李居民", phone, national(phone), "resident"]
        assert all(any(n in t for t in _all_text_in_database()) for n in needles)

        user = account_delete(actor=resident, confirmed=True)

        texts = _all_text_in_database()
        for needle in ("李居民", phone, national(phone)):
            assert not [t for t in texts if needle in t], needle
        assert "resident" not in get_user_model().objects.values_list("username", flat=True)
        assert user.username.startswith("deleted-")
        assert not user.is_active and not user.has_usable_password()
        person = Person.objects.get(pk=world.person1.pk)
        assert (person.full_name, person.phone, person.user) == (
            services.deleted_person_name(),
            "",
            user,
        )
        assert world.person1.occupancies.count() == 1  # the flat's record stays
        assert Consent.objects.filter(user=user).count() == 1  # proof stays
        assert not ApiToken.objects.filter(user=user).exists()
        assert not Notification.objects.filter(recipient=user).exists()
        assert Notification.objects.filter(title="王邻居的申请").exists()  # others' untouched
        assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id")]
        assert set(AuditEvent.objects.filter(actor=user).values_list("actor_label", flat=True)) == {
            user.username
        }
        deleted = AuditEvent.objects.get(action="account.deleted")
        assert deleted.actor_label == user.username and deleted.changes == {}
        assert Person.objects.get(pk=world.person2.pk).full_name == "王邻居"

    def test_without_confirmation_nothing_is_written(self, world, resident):
        before = _counts()
        with pytest.raises(ValidationError):
            account_delete(actor=resident, confirmed=False)
        assert _counts() == before

    def test_failure_half_way_rolls_everything_back(self, world, resident, monkeypatch):
        before = _counts()

        def broken(keys):
            raise RuntimeError("axes down")

        monkeypatch.setattr(services, "_axes_forget", broken)
        with pytest.raises(RuntimeError):
            account_delete(actor=resident, confirmed=True)
        assert _counts() == before

    def test_anonymous_is_refused(self, world):
        from django.contrib.auth.models import AnonymousUser

        before = _counts()
        with pytest.raises(PermissionDenied):
            account_delete(actor=AnonymousUser(), confirmed=True)
        assert _counts() == before
