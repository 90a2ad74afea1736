"""Application pages: the leader applies from the project's page (the form filled in from the
project), sees what keeps the draft from being submitted, submits; staff endorse or return
it with a message; the officer receives it and asks for a document; the leader uploads it.
The timeline is on the page at every step."""

from __future__ import annotations

import pytest
from django.urls import reverse

from linju.foundation.models import Application, ApplicationDocument
from tests.foundation.factories import make_application, make_programme, make_project, pdf
from tests.hostile import CORPUS, assert_no_live_markup, assert_shown_escaped

pytestmark = pytest.mark.django_db


def test_the_project_page_offers_the_open_programme(world, client):
    programme, project = make_programme(world), make_project(world)
    client.force_login(world.users["leader"])
    html = client.get(project.get_absolute_url()).content.decode()
    apply_url = reverse(
        "application_create", args=[programme.street.slug, programme.pk, project.pk]
    )
    assert apply_url in html
    client.force_login(world.users["resident"])
    assert apply_url not in client.get(project.get_absolute_url()).content.decode()


def test_the_form_is_filled_in_from_the_project(world, client):
    programme, project = make_programme(world), make_project(world)
    client.force_login(world.users["leader"])
    url = reverse("application_create", args=[programme.street.slug, programme.pk, project.pk])
    html = client.get(url).content.decode()
    assert project.title in html and "48000.00" in html and "12000.00" in html


def test_apply_then_submit_from_the_pages(world, client):
    programme, project = make_programme(world), make_project(world)
    client.force_login(world.users["leader"])
    url = reverse("application_create", args=[programme.street.slug, programme.pk, project.pk])
    data = {"title": "1号楼", "plan": "粉刷", "budget": "48000", "requested": "30000"}
    response = client.post(url, data)
    application = Application.objects.get()
    assert response["Location"] == application.get_absolute_url()
    page = client.get(application.get_absolute_url()).content.decode()
    assert "meets the programme" in page
    client.post(reverse("application_submit", args=[programme.street.slug, application.pk]))
    application.refresh_from_db()
    assert application.status == "submitted"


def test_a_bad_amount_is_422_and_nothing_is_written(world, client):
    programme, project = make_programme(world), make_project(world)
    client.force_login(world.users["leader"])
    url = reverse("application_create", args=[programme.street.slug, programme.pk, project.pk])
    data = {"title": "1号楼", "plan": "粉刷", "budget": "48000", "requested": "48001"}
    response = client.post(url, data)
    assert response.status_code == 422
    assert Application.objects.count() == 0


def test_the_draft_page_says_what_keeps_it_from_being_submitted(world, client):
    project = make_project(world, raised="100.00")
    application = make_application(world, project=project)
    client.force_login(world.users["leader"])
    html = client.get(application.get_absolute_url()).content.decode()
    assert "Residents have raised ¥100.00" in html
    client.post(
        reverse("application_submit", args=[application.programme.street.slug, application.pk])
    )
    application.refresh_from_db()
    assert application.status == "draft"


def test_staff_return_with_a_message_the_leader_reads(world, client):
    application = make_application(world, state="submitted")
    street = application.programme.street.slug
    client.force_login(world.users["staff"])
    response = client.post(
        reverse("application_return", args=[street, application.pk]), {"message": "请补充预算明细"}
    )
    assert response.status_code == 302
    client.force_login(world.users["leader"])
    html = client.get(application.get_absolute_url()).content.decode()
    assert "请补充预算明细" in html and "Returned by the estate" in html


def test_officer_asks_and_leader_uploads(world, client):
    application = make_application(world, state="received")
    street = application.programme.street.slug
    client.force_login(world.users["foundation"])
    client.post(
        reverse("application_document_request", args=[street, application.pk]),
        {"message": "请上传三家报价单"},
    )
    asked = application.document_requests.get()
    client.force_login(world.users["leader"])
    html = client.get(application.get_absolute_url()).content.decode()
    assert "请上传三家报价单" in html
    response = client.post(
        reverse("application_document_add", args=[street, application.pk]),
        {"file": pdf(), "kind": "budget", "request": asked.pk},
    )
    assert response.status_code == 302
    document = ApplicationDocument.objects.get()
    asked.refresh_from_db()
    assert asked.answered_at is not None
    download = client.get(
        reverse("application_document", args=[street, application.pk, document.pk])
    )
    assert download.status_code == 200
    assert download["Content-Security-Policy"] == "sandbox"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_a_fake_document_is_422(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    application = make_application(world, state="received")
    client.force_login(world.users["leader"])
    response = client.post(
        reverse(
            "application_document_add", args=[application.programme.street.slug, application.pk]
        ),
        {"file": SimpleUploadedFile("x.pdf", b"<script>"), "kind": "other"},
    )
    assert response.status_code == 422
    assert ApplicationDocument.objects.count() == 0


def test_staff_see_what_waits_for_them(world, client):
    application = make_application(world, state="submitted")
    client.force_login(world.users["staff"])
    html = client.get(reverse("console_foundation_applications", args=["here"])).content.decode()
    assert application.get_absolute_url() in html


@pytest.mark.parametrize("name", ["script", "attribute_breakout", "template_tag", "short_tag"])
def test_hostile_application_text_is_shown_as_text(world, client, name):
    from linju.foundation import services

    text = CORPUS[name]
    application = make_application(world)
    services.application_update(
        actor=world.users["leader"],
        application=application,
        title=text[:120],
        plan=text,
        budget="48000",
        requested="30000",
        support=text,
    )
    client.force_login(world.users["leader"])
    html = client.get(application.get_absolute_url()).content.decode()
    assert_shown_escaped(html, text)
    project_page = client.get(application.project.get_absolute_url()).content.decode()
    assert_no_live_markup(project_page)
