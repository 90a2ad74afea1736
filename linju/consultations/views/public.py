"""What residents see: the surveys of their estate, a survey's page where they answer it (one
long page of big controls, branches shown and hidden as they answer), and its draft.

Members of the estate see its open, closed and published surveys. A visitor who is not signed
in is sent to sign in; a signed-in outsider gets the same 404 as for a missing page.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linju.community import selectors as community_selectors
from linju.consultations import selectors, services
from linju.consultations.forms import answers_from_post, draft_from_post
from linju.consultations.models import Consultation
from linju.consultations.views.answering import errors_of, question_views
from linju.core import permissions
from linju.core.http import is_htmx


def _survey(request: HttpRequest, slug: str, consultation_id: int) -> Consultation:
    estate = community_selectors.estate_get(slug=slug)
    return selectors.consultation_get(
        actor=request.user, estate=estate, consultation_id=consultation_id
    )


@login_required
def consultations_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = community_selectors.estate_get(slug=slug)
    if not permissions.can(request.user, "view", Consultation(estate=estate, status="open")):
        raise Http404
    surveys = list(selectors.consultation_list(actor=request.user, estate=estate))
    waiting = {c.pk for c in selectors.open_for(actor=request.user, estate=estate)}
    return render(
        request,
        "consultations/list.html",
        {
            "estate": estate,
            "surveys": surveys,
            "waiting": waiting,
            "may_run": permissions.can(request.user, "console", estate, model="consultation"),
        },
    )


def _page(
    request: HttpRequest,
    consultation: Consultation,
    *,
    values: dict[str, list[str]] | None = None,
    errors: dict[str, list[str]] | None = None,
    refusal: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    turn = selectors.my_turn(actor=request.user, consultation=consultation)
    questions = selectors.questions_of(consultation)
    restored = values is None and bool(turn.draft)
    values = turn.draft if values is None else values
    return render(
        request,
        "consultations/detail.html",
        {
            "estate": consultation.estate,
            "survey": consultation,
            "turn": turn,
            "accepting": consultation.is_accepting(),
            "not_yet": consultation.status == Consultation.Status.OPEN
            and consultation.opens_at is not None
            and consultation.opens_at > timezone.now(),
            "questions": question_views(questions, values, errors),
            "restored": restored,
            "refusal": refusal or [],
            "may_manage": permissions.can(request.user, "manage", consultation),
        },
        status=status,
    )


@login_required
def consultation_detail_view(request: HttpRequest, slug: str, consultation_id: int) -> HttpResponse:
    return _page(request, _survey(request, slug, consultation_id))


@login_required
@require_POST
def consultation_answer_view(request: HttpRequest, slug: str, consultation_id: int) -> HttpResponse:
    consultation = _survey(request, slug, consultation_id)
    questions = selectors.questions_of(consultation)
    answers = answers_from_post(questions, request.POST, request.FILES)
    try:
        services.response_submit(actor=request.user, consultation=consultation, answers=answers)
    except ValidationError as exc:
        errors, general = errors_of(exc)
        if errors and not general:
            general = [_("Some answers need your attention. Nothing was recorded yet.")]
        return _page(
            request,
            consultation,
            values=draft_from_post(request.POST),
            errors=errors,
            refusal=general,
            status=422,
        )
    return redirect(consultation)


@login_required
@require_POST
def consultation_draft_view(request: HttpRequest, slug: str, consultation_id: int) -> HttpResponse:
    consultation = _survey(request, slug, consultation_id)
    try:
        services.draft_save(
            actor=request.user, consultation=consultation, data=draft_from_post(request.POST)
        )
    except ValidationError as exc:
        return _draft_status(request, consultation, " ".join(exc.messages), status=422)
    saved = timezone.localtime().strftime("%H:%M")
    return _draft_status(request, consultation, _("Draft saved at %(time)s.") % {"time": saved})


def _draft_status(
    request: HttpRequest, consultation: Consultation, message: str, status: int = 200
) -> HttpResponse:
    by_script = is_htmx(request) or request.headers.get("X-Requested-With") == "fetch"
    if status == 200 and not by_script:
        return redirect(consultation)
    return render(request, "consultations/_draft_status.html", {"message": message}, status=status)
