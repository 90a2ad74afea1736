"""The results of a consultation: the organiser's live results page (rates, totals, charts,
cross-tabulations, free-text answers with a search, photos), who has not answered (named
surveys only), the downloads, publishing on the board; and for residents the published summary.

Those who run a survey see its results; to anyone else each console page is the same 404 as a
missing one. Residents see the summary page once the results are published.
"""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header

from linju.community import selectors as community_selectors
from linju.consultations import exports, results, selectors
from linju.consultations.forms_results import CrossTabForm, PublishForm
from linju.consultations.models import AnswerPhoto, Consultation, Question
from linju.consultations.publish import consultation_publish
from linju.core import permissions
from linju.core.http import form_errors, is_htmx, posted
from linju.core.images import serve_photo


def _organised(request: HttpRequest, slug: str, consultation_id: int) -> Consultation:
    estate = community_selectors.estate_get(slug=slug)
    consultation = selectors.consultation_get(
        actor=request.user, estate=estate, consultation_id=consultation_id
    )
    if not permissions.can(request.user, "view_results", consultation):
        raise Http404
    return consultation


def _crosstab(request: HttpRequest, consultation: Consultation, questions: list[Question]):
    form = CrossTabForm(request.GET or None, questions=results.crosstab_questions(questions))
    if not form.questions:
        return form, None
    if form.is_bound and form.is_valid():
        question, dimension = form.cleaned_data["question"], form.cleaned_data["by"]
    else:
        question, dimension = form.questions[0], results.Dimension.BUILDING
    return form, results.crosstab(consultation, question, dimension)


@login_required
def console_consultation_results_view(
    request: HttpRequest, slug: str, consultation_id: int
) -> HttpResponse:
    consultation = _organised(request, slug, consultation_id)
    found = results.consultation_results(consultation, with_private=True)
    form, table = _crosstab(request, consultation, [r.question for r in found.questions])
    context = {
        "estate": consultation.estate,
        "consultation": consultation,
        "results": found,
        "crosstab_form": form,
        "crosstab": table,
        "may_view_who": permissions.can(request.user, "view_who", consultation),
        "may_publish": permissions.can(request.user, "publish", consultation)
        and consultation.status == Consultation.Status.CLOSED,
    }
    if is_htmx(request) and "by" in request.GET:
        return render(request, "consultations/results_crosstab.html", context)
    return render(request, "consultations/results.html", context)


@login_required
def console_consultation_results_text_view(
    request: HttpRequest, slug: str, consultation_id: int, question_id: int
) -> HttpResponse:
    consultation = _organised(request, slug, consultation_id)
    question = Question.objects.filter(
        consultation=consultation, pk=question_id, kind=Question.Kind.TEXT
    ).first()
    if question is None:
        raise Http404
    query = request.GET.get("q", "")[:100]
    found = results.text_answers(question, query)
    context = {"estate": consultation.estate, "consultation": consultation, "result": found}
    template = "results_text.html" if is_htmx(request) else "results_text_page.html"
    return render(request, f"consultations/{template}", {**context, "q": query})


@login_required
def console_consultation_results_waiting_view(
    request: HttpRequest, slug: str, consultation_id: int
) -> HttpResponse:
    consultation = _organised(request, slug, consultation_id)
    permissions.require(request.user, "view_who", consultation)
    waiting = results.not_answered(consultation)
    return render(
        request,
        "consultations/results_waiting.html",
        {"estate": consultation.estate, "consultation": consultation, "waiting": waiting},
    )


@login_required
def console_consultation_results_xlsx_view(
    request: HttpRequest, slug: str, consultation_id: int
) -> HttpResponse:
    consultation = _organised(request, slug, consultation_id)
    out = io.BytesIO()
    exports.results_xlsx(actor=request.user, consultation=consultation, out=out)
    response = HttpResponse(out.getvalue(), content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = (
        content_disposition_header(True, f"consultation-{consultation.pk}-results.xlsx") or ""
    )
    return response


@login_required
def console_consultation_results_csv_view(
    request: HttpRequest, slug: str, consultation_id: int
) -> HttpResponse:
    consultation = _organised(request, slug, consultation_id)
    data = exports.results_csv(actor=request.user, consultation=consultation)
    response = HttpResponse(data, content_type=exports.CSV_TYPE)
    response["Content-Disposition"] = (
        content_disposition_header(True, f"consultation-{consultation.pk}-responses.csv") or ""
    )
    return response


@login_required
def console_consultation_results_photo_view(
    request: HttpRequest, slug: str, consultation_id: int, photo_id: int, size: str
) -> FileResponse:
    consultation = _organised(request, slug, consultation_id)
    photo = AnswerPhoto.objects.filter(question__consultation=consultation, pk=photo_id).first()
    if photo is None or size not in ("thumb", "web"):
        raise Http404
    return serve_photo(photo, size, f"answer-{photo.pk}")


@login_required
def console_consultation_publish_view(
    request: HttpRequest, slug: str, consultation_id: int
) -> HttpResponse:
    consultation = _organised(request, slug, consultation_id)
    permissions.require(request.user, "publish", consultation)
    form = PublishForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            consultation_publish(actor=request.user, consultation=consultation, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return redirect(
                "console_consultation_results", slug=slug, consultation_id=consultation.pk
            )
    status = 422 if request.method == "POST" else 200
    context = {"estate": consultation.estate, "consultation": consultation, "form": form}
    return render(request, "consultations/results_publish.html", context, status=status)


@login_required
def consultation_results_view(
    request: HttpRequest, slug: str, consultation_id: int
) -> HttpResponse:
    estate = community_selectors.estate_get(slug=slug)
    consultation = selectors.consultation_get(
        actor=request.user, estate=estate, consultation_id=consultation_id
    )
    if not permissions.can(request.user, "view_summary", consultation):
        raise Http404
    found = results.consultation_results(consultation, with_private=False)
    return render(
        request,
        "consultations/results_summary.html",
        {
            "estate": estate,
            "consultation": consultation,
            "notice": consultation.notice,
            "results": found,
            "may_view_results": permissions.can(request.user, "view_results", consultation),
        },
    )
