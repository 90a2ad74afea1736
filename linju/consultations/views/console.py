"""The surveys console: drafting a survey and its questions, opening, closing, reminding, the
paper questionnaire and entering it.

Committee staff and the owners' committee run every survey of the estate; a building-group
leader the surveys of the building they lead. To anyone else each page is the same 404 as a
missing one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linju.community import selectors as community_selectors
from linju.community.models import Estate
from linju.consultations import pdf, selectors, services
from linju.consultations.forms import (
    ConsultationForm,
    PaperForm,
    QuestionForm,
    answers_from_post,
    draft_from_post,
)
from linju.consultations.models import Consultation, Question
from linju.consultations.views.answering import errors_of, question_views
from linju.core import permissions
from linju.core.http import form_errors, posted

NOT_ANSWERED_SHOWN = 300


def _console_estate(request: HttpRequest, slug: str) -> Estate:
    estate = community_selectors.estate_get(slug=slug)
    if not permissions.can(request.user, "console", estate, model="consultation"):
        raise Http404
    return estate


def _managed(request: HttpRequest, slug: str, consultation_id: int) -> Consultation:
    estate = _console_estate(request, slug)
    consultation = selectors.consultation_get(
        actor=request.user, estate=estate, consultation_id=consultation_id
    )
    if not permissions.can(request.user, "manage", consultation):
        raise Http404
    return consultation


def _question(consultation: Consultation, question_id: int) -> Question:
    question = Question.objects.filter(consultation=consultation, pk=question_id).first()
    if question is None:
        raise Http404
    question.consultation = consultation
    return question


def _to_survey(consultation: Consultation) -> HttpResponse:
    return redirect(
        "console_consultation", slug=consultation.estate.slug, consultation_id=consultation.pk
    )


@login_required
def console_consultations_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _console_estate(request, slug)
    surveys = selectors.consultation_console_list(actor=request.user, estate=estate)
    return render(
        request, "consultations/console/list.html", {"estate": estate, "surveys": surveys}
    )


def _form_page(
    request: HttpRequest, estate: Estate, form: ConsultationForm, survey: Consultation | None
) -> HttpResponse:
    return render(
        request,
        "consultations/console/form.html",
        {"estate": estate, "form": form, "survey": survey},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def console_consultation_create_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _console_estate(request, slug)
    form = ConsultationForm(posted(request), actor=request.user, estate=estate)
    if request.method == "POST" and form.is_valid():
        try:
            consultation = services.consultation_create(
                actor=request.user, estate=estate, **form.service_arguments()
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The survey is drafted. Add its questions next."))
            return _to_survey(consultation)
    return _form_page(request, estate, form, None)


@login_required
def console_consultation_edit_view(
    request: HttpRequest, slug: str, consultation_id: int
) -> HttpResponse:
    consultation = _managed(request, slug, consultation_id)
    if consultation.status != Consultation.Status.DRAFT:
        messages.error(request, _("Only a draft survey can be changed."))
        return _to_survey(consultation)
    form = ConsultationForm(
        posted(request),
        actor=request.user,
        estate=consultation.estate,
        editing=True,
        initial=ConsultationForm.initial_for(consultation),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.consultation_update(
                actor=request.user, consultation=consultation, **form.service_arguments()
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return _to_survey(consultation)
    return _form_page(request, consultation.estate, form, consultation)


def _survey_page(
    request: HttpRequest, consultation: Consultation, refusal: list[str] | None = None
) -> HttpResponse:
    may_see_who = permissions.can(request.user, "view_who", consultation)
    not_answered = selectors.not_answered(consultation) if may_see_who else []
    return render(
        request,
        "consultations/console/survey.html",
        {
            "estate": consultation.estate,
            "survey": consultation,
            "questions": selectors.questions_of(consultation),
            "invited": selectors.invited_count(consultation),
            "answered": selectors.participation_count(consultation),
            "may_see_who": may_see_who,
            "not_answered": not_answered[:NOT_ANSWERED_SHOWN],
            "not_answered_more": max(0, len(not_answered) - NOT_ANSWERED_SHOWN),
            "refusal": refusal or [],
        },
        status=422 if refusal else 200,
    )


@login_required
def console_consultation_view(
    request: HttpRequest, slug: str, consultation_id: int
) -> HttpResponse:
    return _survey_page(request, _managed(request, slug, consultation_id))


def _question_page(
    request: HttpRequest,
    consultation: Consultation,
    form: QuestionForm,
    question: Question | None,
) -> HttpResponse:
    return render(
        request,
        "consultations/console/question.html",
        {"estate": consultation.estate, "survey": consultation, "form": form, "question": question},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def console_question_add_view(
    request: HttpRequest, slug: str, consultation_id: int
) -> HttpResponse:
    consultation = _managed(request, slug, consultation_id)
    if consultation.status != Consultation.Status.DRAFT:
        messages.error(request, _("Only a draft survey can be changed."))
        return _to_survey(consultation)
    form = QuestionForm(posted(request), consultation=consultation)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_add(
                actor=request.user, consultation=consultation, **form.service_arguments()
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Question added."))
            return _to_survey(consultation)
    return _question_page(request, consultation, form, None)


@login_required
def console_question_edit_view(
    request: HttpRequest, slug: str, consultation_id: int, question_id: int
) -> HttpResponse:
    consultation = _managed(request, slug, consultation_id)
    question = _question(consultation, question_id)
    if consultation.status != Consultation.Status.DRAFT:
        messages.error(request, _("Only a draft survey can be changed."))
        return _to_survey(consultation)
    form = QuestionForm(
        posted(request),
        consultation=consultation,
        question=question,
        initial=QuestionForm.initial_for(question),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.question_update(
                actor=request.user, question=question, **form.service_arguments()
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return _to_survey(consultation)
    return _question_page(request, consultation, form, question)


def _act(
    request: HttpRequest, consultation: Consultation, step: Callable[[], Any], done: str
) -> HttpResponse:
    try:
        result = step()
    except ValidationError as exc:
        return _survey_page(request, consultation, refusal=exc.messages)
    messages.success(request, done % {"n": result} if "%(n)" in done else done)
    return _to_survey(consultation)


@login_required
@require_POST
def console_question_delete_view(
    request: HttpRequest, slug: str, consultation_id: int, question_id: int
) -> HttpResponse:
    consultation = _managed(request, slug, consultation_id)
    question = _question(consultation, question_id)
    return _act(
        request,
        consultation,
        lambda: services.question_delete(actor=request.user, question=question),
        _("Question removed."),
    )


@login_required
@require_POST
def console_question_move_view(
    request: HttpRequest, slug: str, consultation_id: int, question_id: int
) -> HttpResponse:
    consultation = _managed(request, slug, consultation_id)
    question = _question(consultation, question_id)
    up = request.POST.get("direction") != "down"
    return _act(
        request,
        consultation,
        lambda: services.question_move(actor=request.user, question=question, up=up),
        _("Question moved."),
    )


@login_required
@require_POST
def console_consultation_open_view(
    request: HttpRequest, slug: str, consultation_id: int
) -> HttpResponse:
    consultation = _managed(request, slug, consultation_id)
    return _act(
        request,
        consultation,
        lambda: services.consultation_open(actor=request.user, consultation=consultation),
        _("The survey is open. Everyone asked who has an account was told."),
    )


@login_required
@require_POST
def console_consultation_close_view(
    request: HttpRequest, slug: str, consultation_id: int
) -> HttpResponse:
    consultation = _managed(request, slug, consultation_id)
    return _act(
        request,
        consultation,
        lambda: services.consultation_close(actor=request.user, consultation=consultation),
        _("The survey is closed."),
    )


@login_required
@require_POST
def console_consultation_remind_view(
    request: HttpRequest, slug: str, consultation_id: int
) -> HttpResponse:
    consultation = _managed(request, slug, consultation_id)
    return _act(
        request,
        consultation,
        lambda: services.consultation_remind(actor=request.user, consultation=consultation),
        _("Reminded %(n)s people who have not answered."),
    )


@login_required
def console_consultation_pdf_view(
    request: HttpRequest, slug: str, consultation_id: int
) -> HttpResponse:
    consultation = _managed(request, slug, consultation_id)
    content = pdf.questionnaire_pdf(
        consultation=consultation, site_url=request.build_absolute_uri("/")
    )
    disposition = content_disposition_header(
        as_attachment=True, filename=pdf.file_name(consultation)
    )
    return HttpResponse(
        content, content_type="application/pdf", headers={"Content-Disposition": disposition or ""}
    )


@login_required
def console_consultation_paper_view(
    request: HttpRequest, slug: str, consultation_id: int
) -> HttpResponse:
    consultation = _managed(request, slug, consultation_id)
    questions = selectors.questions_of(consultation)
    form = PaperForm(posted(request), consultation=consultation)
    errors: dict[str, list[str]] = {}
    refusal: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.paper_response_enter(
                actor=request.user,
                consultation=consultation,
                household=form.cleaned_data["household"],
                person=form.cleaned_data["person"],
                relation=form.cleaned_data["relation"],
                answers=answers_from_post(questions, request.POST, request.FILES),
            )
        except ValidationError as exc:
            errors, refusal = errors_of(exc)
            if refusal:
                form.add_error(None, refusal)
        else:
            messages.success(request, _("The paper questionnaire is entered. Enter the next one."))
            return redirect(
                "console_consultation_paper",
                slug=consultation.estate.slug,
                consultation_id=consultation.pk,
            )
    values = draft_from_post(request.POST) if request.method == "POST" else {}
    return render(
        request,
        "consultations/console/paper.html",
        {
            "estate": consultation.estate,
            "survey": consultation,
            "form": form,
            "questions": question_views(questions, values, errors),
            "open_for_paper": consultation.status
            in (Consultation.Status.OPEN, Consultation.Status.CLOSED),
        },
        status=422 if request.method == "POST" else 200,
    )
