"""Convention pages: the convention with its clauses, comments through htmx, versions and
their differences, "I have read it", the printed PDF, and the drafting console. Bad input is
the form again with the message and 422, nothing written."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from linju.conventions import services
from linju.conventions.models import Clause, ClauseComment, Convention, ConventionRead
from linju.core.models import AuditEvent
from linju.decisions.models import Decision
from tests.conventions import factories as cf
from tests.notices.factories import public_board

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _client(user=None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def _url(name, convention, *more):
    return reverse(name, args=[convention.estate.slug, convention.pk, *more])


def _first_clause(convention) -> Clause:
    return Clause.objects.filter(convention=convention).order_by("position").first()


class TestConventionPage:
    def test_a_resident_reads_the_draft_with_comment_counts(self, world):
        convention = cf.draft(world)
        clause = _first_clause(convention)
        services.clause_comment_post(actor=world.users["resident"], clause=clause, body="同意")
        response = _client(world.users["resident"]).get(convention.get_absolute_url())
        html = response.content.decode()
        assert response.status_code == 200
        for text in cf.CLAUSES:
            assert text in html
        assert "1 条评论" in html
        assert _url("clause_comments", convention, clause.pk) in html

    def test_comments_of_a_clause_come_as_a_fragment_for_htmx(self, world):
        convention = cf.draft(world)
        clause = _first_clause(convention)
        services.clause_comment_post(actor=world.users["resident"], clause=clause, body="写清楚")
        response = _client(world.users["resident"]).get(
            _url("clause_comments", convention, clause.pk), **HTMX
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in html and "写清楚" in html
        assert f'id="comments-{clause.pk}"' in html

    def test_posting_a_comment_through_htmx_answers_the_new_list(self, world):
        convention = cf.draft(world)
        clause = _first_clause(convention)
        response = _client(world.users["resident"]).post(
            _url("clause_comments", convention, clause.pk), {"body": "建议加上时间"}, **HTMX
        )
        assert response.status_code == 200
        assert "建议加上时间" in response.content.decode()
        assert ClauseComment.objects.get().author == world.users["resident"]

    def test_an_empty_comment_is_the_form_again_with_422(self, world):
        convention = cf.draft(world)
        clause = _first_clause(convention)
        response = _client(world.users["resident"]).post(
            _url("clause_comments", convention, clause.pk), {"body": "  "}
        )
        assert response.status_code == 422
        assert 'role="alert"' in response.content.decode()
        assert not ClauseComment.objects.exists()

    def test_a_hidden_comment_shows_its_reason_not_its_text(self, world):
        convention = cf.draft(world)
        clause = _first_clause(convention)
        comment = services.clause_comment_post(
            actor=world.users["resident"], clause=clause, body="不文明的话"
        )
        response = _client(world.users["leader"]).post(
            _url("clause_comment_action", convention, comment.pk, "hide"),
            {"reason": "言语不文明"},
            **HTMX,
        )
        assert response.status_code == 200
        page = _client(world.users["resident"]).get(_url("clause_comments", convention, clause.pk))
        html = page.content.decode()
        assert "言语不文明" in html and "不文明的话" not in html

    def test_a_resident_cannot_hide_a_comment(self, world):
        convention = cf.draft(world)
        clause = _first_clause(convention)
        comment = services.clause_comment_post(
            actor=world.users["leader"], clause=clause, body="组长的意见"
        )
        response = _client(world.users["resident"]).post(
            _url("clause_comment_action", convention, comment.pk, "hide"), {"reason": "x"}
        )
        assert response.status_code == 403
        comment.refresh_from_db()
        assert comment.hidden_at is None

    def test_versions_and_their_differences_are_shown(self, world):
        convention = cf.draft(world)
        leader = world.users["leader"]
        services.version_save(actor=leader, convention=convention, note="初稿")
        services.clause_update(
            actor=leader, clause=_first_clause(convention), text="楼道内不堆放任何杂物。"
        )
        services.version_save(actor=leader, convention=convention, note="第二稿")
        html = _client(world.users["resident"]).get(convention.get_absolute_url()).content.decode()
        assert (
            "第二稿" in html
            and "<ins>任何</ins>" in html
            and "<del>，保持消防通道畅通</del>" in html
        )
        diff = _client(world.users["resident"]).get(
            _url("convention_diff", convention) + "?a=1&b=2", **HTMX
        )
        assert diff.status_code == 200 and "<ins>任何</ins>" in diff.content.decode()

    def test_an_outsider_gets_404_and_a_visitor_is_sent_to_sign_in(self, world):
        convention = cf.draft(world)
        assert (
            _client(world.users["outsider"]).get(convention.get_absolute_url()).status_code == 404
        )
        response = _client().get(convention.get_absolute_url())
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))

    def test_an_adopted_convention_is_public_with_a_public_board(self, world):
        convention = cf.adopted(world)
        public_board(world.here)
        response = _client().get(convention.get_absolute_url())
        assert response.status_code == 200
        html = response.content.decode()
        assert cf.CLAUSES[0] in html and "李居民" not in html
        draft = cf.draft(world, title="另一份草稿")
        assert _client().get(draft.get_absolute_url()).status_code == 302


class TestReadMark:
    def test_the_big_button_marks_it_read_once(self, world):
        convention = cf.adopted(world)
        client = _client(world.users["resident"])
        page = client.get(convention.get_absolute_url()).content.decode()
        assert _url("convention_read", convention) in page
        response = client.post(_url("convention_read", convention), **HTMX)
        assert response.status_code == 200
        assert ConventionRead.objects.count() == 1
        client.post(_url("convention_read", convention))
        assert ConventionRead.objects.count() == 1
        page = client.get(convention.get_absolute_url()).content.decode()
        assert _url("convention_read", convention) not in page

    def test_readers_names_only_for_the_leader_and_staff(self, world):
        convention = cf.adopted(world)
        services.convention_mark_read(actor=world.users["resident"], convention=convention)
        leader_page = _client(world.users["leader"]).get(convention.get_absolute_url())
        resident_page = _client(world.users["resident"]).get(convention.get_absolute_url())
        assert "李居民" in leader_page.content.decode()
        assert "李居民" not in resident_page.content.decode()


class TestLazySync:
    def test_showing_the_page_records_the_adoption_of_a_published_vote(self, world):
        convention = cf.voting(world)
        cf.run_vote(world, convention, {world.users["resident"]: "agree"})
        assert Convention.objects.get().status == "voting"
        response = _client(world.users["resident"]).get(convention.get_absolute_url())
        assert response.status_code == 200
        convention.refresh_from_db()
        assert convention.status == Convention.Status.ADOPTED
        assert convention.notice is not None


class TestPdf:
    def test_the_adopted_text_prints_on_a4_with_its_clauses(self, world):
        convention = cf.adopted(world)
        response = _client(world.users["resident"]).get(_url("convention_pdf", convention))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        reader = PdfReader(io.BytesIO(response.content))
        width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
        assert (round(width), round(height)) == (595, 842)
        text = re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))
        for clause in cf.CLAUSES:
            assert re.sub(r"\s+", "", clause) in text
        assert convention.title in text

    def test_a_draft_prints_only_for_those_who_draft_it(self, world):
        convention = cf.draft(world)
        assert (
            _client(world.users["resident"]).get(_url("convention_pdf", convention)).status_code
            == 404
        )
        assert (
            _client(world.users["leader"]).get(_url("convention_pdf", convention)).status_code
            == 200
        )


class TestConsole:
    def test_leader_starts_a_convention_and_lands_in_the_console(self, world):
        client = _client(world.users["leader"])
        url = reverse("console_convention_create", args=["here"])
        assert client.get(url).status_code == 200
        response = client.post(
            url,
            {
                "building": world.b1.pk,
                "kind": "civility",
                "title": "1号楼公约",
                "clauses": "一\n\n二",
            },
        )
        convention = Convention.objects.get()
        assert response.status_code == 302
        assert response["Location"] == _url("console_convention", convention)
        assert list(Clause.objects.values_list("text", flat=True)) == ["一", "二"]

    def test_a_leader_cannot_choose_another_building(self, world):
        response = _client(world.users["leader"]).post(
            reverse("console_convention_create", args=["here"]),
            {"building": world.b2.pk, "kind": "civility", "title": "2号楼公约"},
        )
        assert response.status_code == 422
        assert not Convention.objects.exists()

    def test_clause_editor_adds_edits_moves_and_removes(self, world):
        convention = cf.draft(world)
        client = _client(world.users["leader"])
        assert (
            client.post(_url("console_clause_add", convention), {"text": "宠物文明"}).status_code
            == 302
        )
        last = Clause.objects.get(text="宠物文明")
        assert (
            client.post(_url("console_clause_action", convention, last.pk, "up")).status_code == 302
        )
        last.refresh_from_db()
        assert last.position == 3
        first = _first_clause(convention)
        response = client.post(
            _url("console_clause_action", convention, first.pk, "edit"), {"text": "新的第一条"}
        )
        assert response.status_code == 302
        assert (
            client.post(_url("console_clause_action", convention, first.pk, "remove")).status_code
            == 302
        )
        assert list(Clause.objects.order_by("position").values_list("text", flat=True)) == [
            cf.CLAUSES[1],
            "宠物文明",
            cf.CLAUSES[2],
        ]

    def test_bad_clause_edit_is_the_console_again_with_422(self, world):
        convention = cf.draft(world)
        first = _first_clause(convention)
        events = AuditEvent.objects.count()
        response = _client(world.users["leader"]).post(
            _url("console_clause_action", convention, first.pk, "edit"), {"text": ""}
        )
        assert response.status_code == 422
        first.refresh_from_db()
        assert first.text == cf.CLAUSES[0] and AuditEvent.objects.count() == events

    def test_saving_an_unchanged_version_is_422(self, world):
        convention = cf.draft(world)
        client = _client(world.users["leader"])
        assert (
            client.post(_url("console_version_save", convention), {"note": "一稿"}).status_code
            == 302
        )
        response = client.post(_url("console_version_save", convention), {"note": ""})
        assert response.status_code == 422
        assert convention.versions.count() == 1

    def test_staff_put_it_to_the_vote_and_a_too_early_opening_is_422(self, world):
        convention = cf.draft(world)
        client = _client(world.users["staff"])
        response = client.post(
            _url("console_convention_vote", convention),
            {"opens_at": "2020-01-01T09:00", "closes_at": "2020-01-08T09:00", "unit": "household"},
        )
        assert response.status_code == 422
        assert not Decision.objects.exists()
        import datetime

        from django.utils import timezone

        opens = timezone.localtime() + datetime.timedelta(days=20)
        closes = opens + datetime.timedelta(days=7)
        response = client.post(
            _url("console_convention_vote", convention),
            {
                "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
                "closes_at": closes.strftime("%Y-%m-%dT%H:%M"),
                "unit": "household",
            },
        )
        assert response.status_code == 302
        convention.refresh_from_db()
        assert convention.status == Convention.Status.VOTING

    def test_the_leader_has_no_vote_form(self, world):
        convention = cf.draft(world)
        html = (
            _client(world.users["leader"])
            .get(_url("console_convention", convention))
            .content.decode()
        )
        assert _url("console_convention_vote", convention) not in html


def test_project_section_lists_the_projects_conventions(world):
    """A project's page lists the conventions drafted within it; its showcase only adopted
    ones."""
    from linju.conventions.sections import project_section
    from linju.projects.models import Project

    project = Project.objects.create(estate=world.here, building=world.b1, title="1号楼大堂")
    convention = cf.draft(world, project=project)
    given = project_section(project=project, actor=world.users["resident"], showcase=False)
    assert given is not None and given["context"]["project_conventions"] == [convention]
    assert project_section(project=project, actor=None, showcase=True) is None
