"""The console's roster pages as staff use them: upload → columns → preview → confirm →
report, big files in the background with a progress bar, the export, the building-list lock.
Refused requests write nothing."""

from __future__ import annotations

import re
import signal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext

from linju.community.models import Estate, Flat, RosterImport, RosterMapping
from linju.community.roster import parse, services
from linju.community.roster.mapping import FIELD_LABELS
from linju.core.models import AuditEvent, SecurityEvent
from tests import factories as f
from tests.community.roster import workbooks as wb
from tests.community.roster.helpers import snapshot
from tests.hostile import CORPUS, assert_no_live_markup, assert_shown_escaped

SLUG = "zhonghao"


def url(name: str, *args) -> str:
    return reverse(name, args=[SLUG, *args])


@pytest.fixture
def staff(e17) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(e17.staff)
    return client


def upload(client: Client, data: bytes, name: str = "名册.xlsx"):
    return client.post(url("console_roster"), {"file": SimpleUploadedFile(name, data)})


def columns_post(client: Client, roster_import: RosterImport, **changes) -> dict:
    """The columns form as the page fills it in, with ``changes``."""
    page = client.get(url("console_roster_columns", roster_import.pk))
    assert page.status_code == 200
    form = page.context["form"]
    data = {
        name: form[name].value() if form[name].value() is not None else "" for name in form.fields
    }
    data.update(changes)
    return data


def test_the_whole_flow(e17, staff):
    page = staff.get(url("console_roster"))
    assert page.status_code == 200
    assert url("console_roster") in page.content.decode()  # the console's nav links it

    response = upload(staff, wb.messy())
    roster_import = RosterImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("console_roster_columns", roster_import.pk)
    assert roster_import.header_row == 5
    assert roster_import.original_name == "名册.xlsx"
    assert not Flat.objects.filter(estate=e17.estate).exists()

    data = columns_post(staff, roster_import)
    assert data["column_0"] == "address" and data["column_3"] == "name"
    response = staff.post(url("console_roster_columns", roster_import.pk), data)
    assert response.status_code == 302
    assert response["Location"] == url("console_roster_import", roster_import.pk)
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.CHECKED
    assert RosterMapping.objects.get(estate=e17.estate).columns["业主姓名"] == "name"
    assert not Flat.objects.filter(estate=e17.estate).exists()

    preview = staff.get(url("console_roster_import", roster_import.pk)).content.decode()
    assert url("console_roster_confirm", roster_import.pk) in preview
    for row in (11, 12, 13):
        assert re.search(rf"\b{row}\b", preview)

    response = staff.post(url("console_roster_confirm", roster_import.pk))
    assert response.status_code == 302
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.DONE
    assert roster_import.confirmed_by == e17.staff
    assert Flat.objects.filter(estate=e17.estate).count() == 4
    report = staff.get(url("console_roster_import", roster_import.pk))
    assert report.status_code == 200
    assert url("console_roster_confirm", roster_import.pk) not in report.content.decode()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"roster.upload", "roster.columns", "roster.import"} <= actions


def test_rows_with_errors_can_only_be_fixed_in_the_file(e17, staff):
    upload(staff, wb.messy(bad=True))
    roster_import = RosterImport.objects.get()
    staff.post(url("console_roster_columns", roster_import.pk), columns_post(staff, roster_import))
    page = staff.get(url("console_roster_import", roster_import.pk)).content.decode()
    assert url("console_roster_confirm", roster_import.pk) not in page
    for row in (14, 15, 16, 17):
        assert re.search(rf"\b{row}\b", page)
    before = snapshot()
    response = staff.post(url("console_roster_confirm", roster_import.pk))
    assert response.status_code == 422
    assert snapshot() == before


def _shown(message: str, **params) -> str:
    """A message as the (Chinese) page shows it."""
    return escape(gettext(message) % params if params else gettext(message))


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"column_0": ""}, lambda: _shown(services.MAPPING_NO_FLAT)),  # no address column
        (
            {"column_6": "name"},  # 身份 as a second name column
            lambda: _shown(services.MAPPING_TWICE, field=FIELD_LABELS["name"], columns="D, G"),
        ),
    ],
    ids=["no-flat", "twice"],
)
def test_columns_that_cannot_work_are_refused(e17, staff, changes, expected):
    upload(staff, wb.messy())
    roster_import = RosterImport.objects.get()
    data = columns_post(staff, roster_import, **changes)
    before = snapshot()
    response = staff.post(url("console_roster_columns", roster_import.pk), data)
    assert response.status_code == 422
    assert expected() in response.content.decode()
    assert snapshot() == before


def test_another_header_row_reads_the_columns_again(e17, staff):
    upload(staff, wb.messy())
    roster_import = RosterImport.objects.get()
    data = columns_post(staff, roster_import, header_row="4")
    response = staff.post(url("console_roster_columns", roster_import.pk), data)
    assert response.status_code == 200
    assert "房屋信息" in response.content.decode()
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.UPLOADED


def test_not_a_spreadsheet_is_refused_on_upload(e17, staff):
    before = snapshot()
    response = upload(staff, b"%PDF-1.7 a scan of the roster", "名册.pdf")
    assert response.status_code == 422
    assert _shown(parse.NOT_A_SPREADSHEET) in response.content.decode()
    assert snapshot() == before


def test_a_big_roster_is_checked_and_imported_in_the_background(
    e17, staff, background, django_capture_on_commit_callbacks
):
    upload(staff, wb.messy())
    roster_import = RosterImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        staff.post(
            url("console_roster_columns", roster_import.pk), columns_post(staff, roster_import)
        )
    assert len(callbacks) == 1  # the check was queued, not run in the request
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.CHECKED
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(url("console_roster_confirm", roster_import.pk))
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.DONE
    assert Flat.objects.filter(estate=e17.estate).count() == 4
    assert not roster_import.file  # the file with personal data is gone


@pytest.mark.django_db(transaction=True)  # the worker closes its connection when done
def test_the_worker_runs_a_queued_check(e17, staff, settings, django_capture_on_commit_callbacks):
    """With the database backend the check waits for `linju worker`."""
    settings.LINJU_ROSTER_INLINE_BYTES = 0
    upload(staff, wb.messy())
    roster_import = RosterImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(
            url("console_roster_columns", roster_import.pk), columns_post(staff, roster_import)
        )
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.CHECKING
    page = staff.get(url("console_roster_import", roster_import.pk), headers={"HX-Request": "true"})
    assert "<progress" in page.content.decode()
    assert "HX-Refresh" not in page
    signals = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
    handlers = [signal.getsignal(s) for s in signals]
    try:
        call_command("worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    finally:  # the worker installs its own signal handlers
        for number, handler in zip(signals, handlers, strict=True):
            signal.signal(number, handler)
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.CHECKED
    page = staff.get(url("console_roster_import", roster_import.pk), headers={"HX-Request": "true"})
    assert page["HX-Refresh"] == "true"


def test_the_progress_bar_shows_how_far_it_got(e17, staff):
    roster_import = RosterImport.objects.create(
        estate=e17.estate,
        file_kind="xlsx",
        status=RosterImport.Status.APPLYING,
        progress=40,
        rows_done=1234,
    )
    page = staff.get(url("console_roster_import", roster_import.pk), headers={"HX-Request": "true"})
    html = page.content.decode()
    assert 'value="40"' in html
    assert "1234" in html
    assert 'hx-trigger="every 1s"' in html


def test_an_estate_changed_since_the_check_stops_the_import(e17, staff):
    upload(staff, wb.messy())
    roster_import = RosterImport.objects.get()
    staff.post(url("console_roster_columns", roster_import.pk), columns_post(staff, roster_import))
    Estate.objects.filter(pk=e17.estate.pk).update(building_list_locked=True)
    before = snapshot()
    staff.post(url("console_roster_confirm", roster_import.pk))
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.CHECKED
    assert roster_import.report["error_count"] == 1
    assert roster_import.message["text"] == services.CHANGED_SINCE_CHECK
    after = snapshot()
    assert {k: v for k, v in after.items() if k != "community.RosterImport"} == {
        k: v for k, v in before.items() if k != "community.RosterImport"
    }


def test_export_downloads_the_roster_and_is_recorded(e17, staff):
    f.FlatFactory(building=e17.b17, entrance=e17.e1, number="302")
    response = staff.get(url("console_roster_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content)[:2] == b"PK"
    assert SecurityEvent.objects.filter(event="roster.export", user=e17.staff).count() == 1


def test_lock_and_open_the_building_list(e17, staff):
    staff.post(url("console_roster_lock"), {"locked": "on"})
    e17.estate.refresh_from_db()
    assert e17.estate.building_list_locked
    event = AuditEvent.objects.get(action="estate.update")
    assert event.changes == {"building_list_locked": [False, True]}
    staff.post(url("console_roster_lock"), {})
    e17.estate.refresh_from_db()
    assert not e17.estate.building_list_locked


def test_another_estates_staff_see_none_of_it(e17):
    roster_import = RosterImport.objects.create(estate=e17.estate, file_kind="xlsx")
    client = Client(raise_request_exception=False)
    client.force_login(e17.other_staff)
    before = snapshot()
    for name, args, method in (
        ("console_roster", [], "get"),
        ("console_roster", [], "post"),
        ("console_roster_export", [], "get"),
        ("console_roster_lock", [], "post"),
        ("console_roster_import", [roster_import.pk], "get"),
        ("console_roster_columns", [roster_import.pk], "get"),
        ("console_roster_confirm", [roster_import.pk], "post"),
    ):
        assert getattr(client, method)(url(name, *args)).status_code == 404, name
    assert snapshot() == before


def test_an_import_of_another_estate_is_404_through_this_estates_urls(e17, staff):
    elsewhere = Estate.objects.get(slug="elsewhere")
    theirs = RosterImport.objects.create(estate=elsewhere, file_kind="xlsx")
    assert staff.get(url("console_roster_import", theirs.pk)).status_code == 404
    assert staff.post(url("console_roster_confirm", theirs.pk)).status_code == 404


@pytest.mark.parametrize("key", [k for k in CORPUS if k != "nul_byte"])
def test_hostile_file_names_are_shown_escaped(e17, staff, key):
    """The uploaded file's name is the one piece of text a roster page shows as typed."""
    name = CORPUS[key][:150] + ".csv"
    response = upload(staff, wb.csv_bytes([["房号", "姓名"], ["17-1-302", "张三"]]), name)
    assert response.status_code == 302, response.content.decode()[:500]
    roster_import = RosterImport.objects.get()
    stored = roster_import.original_name
    assert stored  # Django keeps the last part of a path-like name
    for page in (
        url("console_roster"),
        url("console_roster_columns", roster_import.pk),
        url("console_roster_import", roster_import.pk),
        url("console_audit"),
    ):
        html = staff.get(page).content.decode()
        assert_no_live_markup(html)
        assert_shown_escaped(html, stored)


def test_a_background_check_reports_its_progress(e17, staff, background, monkeypatch):
    """The reader reports every 2,000 rows; the bar moves, and ends full."""
    from linju.community.roster import rows as rows_module

    header = ["房号", "面积", "姓名"]
    data = wb.xlsx([header] + [[f"17-1-{1000 + i}", "80", f"张{i}"] for i in range(4500)])
    upload(staff, data)
    roster_import = RosterImport.objects.get()
    seen: list[tuple[int, int]] = []
    real_read = rows_module.read_entries

    def watching(*args, **kwargs):
        report = kwargs["progress"]

        def progress(rows):
            report(rows)
            seen.append(
                RosterImport.objects.values_list("progress", "rows_done").get(pk=roster_import.pk)
            )

        return real_read(*args, **{**kwargs, "progress": progress})

    monkeypatch.setattr("linju.community.roster.plan.read_entries", watching)
    services.roster_columns_set(
        actor=e17.staff,
        roster_import=roster_import,
        sheet=0,
        header_row=1,
        mapping={"0": "address", "1": "area", "2": "name"},
        layout=services.roster_layout(roster_import=roster_import),
    )
    services.run_check(roster_import.pk)
    assert [rows for _p, rows in seen] == [2000, 4000, 4501]
    percents = [p for p, _rows in seen]
    assert percents == sorted(percents) and 0 < percents[0] < percents[-1] <= 90
    roster_import.refresh_from_db()
    assert (roster_import.status, roster_import.progress) == ("checked", 100)
    assert roster_import.report["created"]["flats"] == 4500


def test_old_unconfirmed_files_are_purged(e17, staff):
    import datetime

    upload(staff, wb.messy())
    roster_import = RosterImport.objects.get()
    path = roster_import.file.path
    from linju.privacy.retention import retention_purge

    assert retention_purge()["roster_uploads"] == 0
    RosterImport.objects.update(created_at=roster_import.created_at - datetime.timedelta(days=8))
    assert retention_purge()["roster_uploads"] == 1
    roster_import.refresh_from_db()
    assert not roster_import.file
    import os

    assert not os.path.exists(path)
