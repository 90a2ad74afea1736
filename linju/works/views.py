"""Pages of a project's design, works and acceptance: one page per part, each with the forms
its reader may use (the designer, committee staff, the building's leader, the residents).

Whoever may see the project reads these pages; to anyone else they are the same 404 as a
missing page (a visitor who is not signed in is sent to sign in). A form someone may not use
is not shown, and posting it anyway is refused (403) with nothing written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linju.community import selectors as community_selectors
from linju.core import permissions
from linju.core.http import form_errors, posted
from linju.core.images import serve_photo
from linju.projects.models import Project
from linju.works import forms, selectors, services
from linju.works.models import (
    AcceptanceItem,
    AcceptanceSigner,
    DesignPhoto,
    DesignPlan,
    Milestone,
    MilestonePhoto,
    Quote,
    QuotePhoto,
    SignaturePhoto,
    SupervisionPhoto,
)

SUPERVISION_PAGE_SIZE = 20
ACTIONS = (
    "design",
    "start_design_vote",
    "offer_owners_decision",
    "manage",
    "complete_milestone",
    "supervise",
    "record_paper_signature",
    "evaluate",
)


def _sign_in(view: Callable[..., Any]) -> Callable[..., Any]:
    """A visitor who is not signed in is sent to sign in instead of a 404."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            return view(request, *args, **kwargs)
        except Http404:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _project(request: HttpRequest, slug: str, project_id: int) -> Project:
    estate = community_selectors.estate_get(slug=slug)
    return selectors.project_get(actor=request.user, estate=estate, project_id=project_id)


def _may(request: HttpRequest, project: Project) -> dict[str, bool]:
    return {a: permissions.can(request.user, a, project, model="works") for a in ACTIONS}


def _require(request: HttpRequest, action: str, project: Project) -> None:
    permissions.require(request.user, action, project, model="works")


def _page(
    request: HttpRequest,
    project: Project,
    template: str,
    context: dict[str, Any],
    *,
    invalid: bool = False,
) -> HttpResponse:
    return render(
        request,
        template,
        {"estate": project.estate, "project": project, "may": _may(request, project), **context},
        status=422 if invalid else 200,
    )


def _files(request: HttpRequest, name: str) -> list[Any]:
    return request.FILES.getlist(name)


def _done(request: HttpRequest, message: str, name: str, project: Project) -> HttpResponse:
    messages.success(request, message)
    return redirect(name, slug=project.estate.slug, project_id=project.pk)


# --- Design ----------------------------------------------------------------------------------


def _design_page(request: HttpRequest, project: Project, **context: Any) -> HttpResponse:
    return _page(
        request,
        project,
        "works/design.html",
        {"design": selectors.design_get(project=project), **context},
        invalid=bool(context),
    )


@_sign_in
def design_view(request: HttpRequest, slug: str, project_id: int) -> HttpResponse:
    return _design_page(request, _project(request, slug, project_id))


def _form_page(
    request: HttpRequest, project: Project, form: Any, title: str, back: str, **extra: Any
) -> HttpResponse:
    return _page(
        request,
        project,
        "works/form.html",
        {"form": form, "title": title, "back": back, **extra},
        invalid=request.method == "POST",
    )


@_sign_in
def plan_add_view(request: HttpRequest, slug: str, project_id: int) -> HttpResponse:
    project = _project(request, slug, project_id)
    _require(request, "design", project)
    form = forms.DesignPlanForm(posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.design_plan_add(
                actor=request.user,
                project=project,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                photos=form.cleaned_data["photos"],
                pdf=form.cleaned_data["pdf"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return _done(request, _("The plan is uploaded."), "works_design", project)
    return _form_page(request, project, form, _("Upload a plan"), "works_design", upload=True)


@_sign_in
def option_add_view(request: HttpRequest, slug: str, project_id: int) -> HttpResponse:
    project = _project(request, slug, project_id)
    _require(request, "design", project)
    form = forms.DesignOptionForm(posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.design_option_add(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return _done(request, _("The option is added."), "works_design", project)
    return _form_page(request, project, form, _("Add a design option"), "works_design", upload=True)


@_sign_in
def scope_view(request: HttpRequest, slug: str, project_id: int) -> HttpResponse:
    project = _project(request, slug, project_id)
    _require(request, "design", project)
    scope = selectors.design_get(project=project).scope
    initial = (
        {name: getattr(scope, name) for name in forms.DesignScopeForm.base_fields} if scope else {}
    )
    form = forms.DesignScopeForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.design_scope_set(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return _done(request, _("Saved."), "works_design", project)
    return _form_page(
        request,
        project,
        form,
        _("What do the works touch?"),
        "works_design",
        intro=_(
            "Works on the building's common parts need a decision of its owners (Civil Code "
            "Art. 278): tick what applies."
        ),
    )


@_sign_in
def vote_start_view(request: HttpRequest, slug: str, project_id: int) -> HttpResponse:
    project = _project(request, slug, project_id)
    _require(request, "start_design_vote", project)
    form = forms.DesignVoteForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            vote = services.design_vote_start(
                actor=request.user, project=project, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The design vote is announced to the residents."))
            return redirect(vote.decision)
    return _form_page(
        request,
        project,
        form,
        _("Put the design to a residents' vote"),
        "works_design",
        intro=_(
            "Every option becomes a choice on the ballot of the building's residents. The vote "
            "is announced now and opens after the notice period."
        ),
    )


@_sign_in
@require_POST
def owners_offer_view(
    request: HttpRequest, slug: str, project_id: int, matter: int
) -> HttpResponse:
    project = _project(request, slug, project_id)
    try:
        decision = services.owners_decision_offer(
            actor=request.user, project=project, matter=matter
        )
    except ValidationError as exc:
        return _design_page(request, project, refusal=exc.messages)
    messages.success(request, _("The owners' decision is drafted: check it, then announce it."))
    return redirect("console_decision", slug=project.estate.slug, decision_id=decision.pk)


@_sign_in
def plan_pdf_view(request: HttpRequest, slug: str, project_id: int, plan_id: int) -> FileResponse:
    project = _project(request, slug, project_id)
    plan = get_object_or_404(DesignPlan, project=project, pk=plan_id)
    if not plan.pdf:
        raise Http404
    try:
        handle = plan.pdf.open("rb")
    except OSError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, content_type="application/pdf", as_attachment=True, filename=f"plan-{plan.pk}.pdf"
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Quotes ----------------------------------------------------------------------------------


@_sign_in
def quotes_view(request: HttpRequest, slug: str, project_id: int) -> HttpResponse:
    project = _project(request, slug, project_id)
    form = forms.QuoteForm(posted(request), request.FILES or None)
    if request.method == "POST":
        _require(request, "manage", project)
        if form.is_valid():
            try:
                services.quote_add(actor=request.user, project=project, **form.cleaned_data)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                return _done(request, _("The quote is added."), "works_quotes", project)
    return _page(
        request,
        project,
        "works/quotes.html",
        {"quotes": selectors.quotes_compared(project=project), "form": form},
        invalid=request.method == "POST",
    )


@_sign_in
@require_POST
def quote_choose_view(
    request: HttpRequest, slug: str, project_id: int, quote_id: int
) -> HttpResponse:
    project = _project(request, slug, project_id)
    quote = get_object_or_404(Quote, project=project, pk=quote_id)
    _require(request, "manage", project)
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.quote_choose(
                actor=request.user, quote=quote, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return _done(request, _("The quote is chosen."), "works_quotes", project)
    return _page(
        request,
        project,
        "works/quotes.html",
        {
            "quotes": selectors.quotes_compared(project=project),
            "form": forms.QuoteForm(),
            "choose_form": form,
            "choosing": quote.pk,
        },
        invalid=True,
    )


# --- Milestones and supervision ----------------------------------------------------------------


@_sign_in
def milestones_view(request: HttpRequest, slug: str, project_id: int) -> HttpResponse:
    project = _project(request, slug, project_id)
    form = forms.MilestoneForm(posted(request))
    if request.method == "POST":
        _require(request, "manage", project)
        if form.is_valid():
            try:
                services.milestone_add(actor=request.user, project=project, **form.cleaned_data)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                return _done(request, _("The milestone is added."), "works_milestones", project)
    return _page(
        request,
        project,
        "works/milestones.html",
        {"milestones": selectors.milestones(project=project), "form": form},
        invalid=request.method == "POST",
    )


@_sign_in
@require_POST
def milestone_done_view(
    request: HttpRequest, slug: str, project_id: int, milestone_id: int
) -> HttpResponse:
    project = _project(request, slug, project_id)
    milestone = get_object_or_404(Milestone, project=project, pk=milestone_id)
    _require(request, "complete_milestone", project)
    form = forms.MilestoneDoneForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.milestone_complete(
                actor=request.user,
                milestone=milestone,
                photos=form.cleaned_data["photos"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return _done(request, _("The milestone is done."), "works_milestones", project)
    return _page(
        request,
        project,
        "works/milestones.html",
        {
            "milestones": selectors.milestones(project=project),
            "form": forms.MilestoneForm(),
            "done_form": form,
            "completing": milestone.pk,
        },
        invalid=True,
    )


@_sign_in
def supervision_view(request: HttpRequest, slug: str, project_id: int) -> HttpResponse:
    project = _project(request, slug, project_id)
    form = forms.SupervisionForm(posted(request), request.FILES or None)
    if request.method == "POST":
        _require(request, "supervise", project)
        if form.is_valid():
            try:
                services.supervision_add(actor=request.user, project=project, **form.cleaned_data)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                return _done(
                    request, _("Thank you: your note is in the log."), "works_supervision", project
                )
    entries = selectors.supervision_entries(project=project)
    page = Paginator(entries, SUPERVISION_PAGE_SIZE).get_page(request.GET.get("page"))
    return _page(
        request,
        project,
        "works/supervision.html",
        {"page": page, "form": form},
        invalid=request.method == "POST",
    )


# --- Acceptance ------------------------------------------------------------------------------


def _acceptance_page(request: HttpRequest, project: Project, **context: Any) -> HttpResponse:
    acceptance = selectors.acceptance_get(project=project)
    return _page(
        request,
        project,
        "works/acceptance.html",
        {
            "acceptance": acceptance,
            "mine": selectors.signer_of(actor=request.user, acceptance=acceptance),
            "item_form": context.pop("item_form", None) or forms.AcceptanceItemForm(),
            "check_choices": AcceptanceItem.Result.choices,
            **context,
        },
        invalid=bool(context) or request.method == "POST",
    )


@_sign_in
def acceptance_view(request: HttpRequest, slug: str, project_id: int) -> HttpResponse:
    return _acceptance_page(request, _project(request, slug, project_id))


@_sign_in
@require_POST
def acceptance_item_add_view(request: HttpRequest, slug: str, project_id: int) -> HttpResponse:
    project = _project(request, slug, project_id)
    _require(request, "manage", project)
    form = forms.AcceptanceItemForm(request.POST)
    if form.is_valid():
        try:
            services.acceptance_item_add(
                actor=request.user, project=project, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return _done(request, _("The item is added."), "works_acceptance", project)
    return _acceptance_page(request, project, item_form=form)


@_sign_in
@require_POST
def acceptance_item_check_view(
    request: HttpRequest, slug: str, project_id: int, item_id: int
) -> HttpResponse:
    project = _project(request, slug, project_id)
    item = get_object_or_404(AcceptanceItem, project=project, pk=item_id)
    _require(request, "manage", project)
    form = forms.AcceptanceCheckForm(request.POST)
    if form.is_valid():
        try:
            services.acceptance_item_check(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return _done(request, _("The result is recorded."), "works_acceptance", project)
    return _acceptance_page(request, project, check_form=form, checking=item.pk)


@_sign_in
def representatives_view(request: HttpRequest, slug: str, project_id: int) -> HttpResponse:
    project = _project(request, slug, project_id)
    _require(request, "manage", project)
    candidates = selectors.representative_candidates(project=project)
    chosen = [s.person_id for s in selectors.acceptance_get(project=project).signers]
    form = forms.RepresentativesForm(
        posted(request), candidates=candidates, initial={"people": chosen}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.acceptance_representatives_set(
                actor=request.user, project=project, people=form.cleaned_data["people"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return _done(request, _("The representatives are chosen."), "works_acceptance", project)
    return _form_page(
        request,
        project,
        form,
        _("Choose the residents' representatives"),
        "works_acceptance",
        intro=_(
            "One to five residents of the building check the works with you and sign the "
            "acceptance, in the app or on paper."
        ),
    )


@_sign_in
@require_POST
def acceptance_sign_view(request: HttpRequest, slug: str, project_id: int) -> HttpResponse:
    project = _project(request, slug, project_id)
    acceptance = selectors.acceptance_get(project=project)
    signer = selectors.signer_of(actor=request.user, acceptance=acceptance)
    if signer is None:
        raise PermissionDenied
    try:
        services.acceptance_sign(actor=request.user, signer=signer)
    except ValidationError as exc:
        return _acceptance_page(request, project, refusal=exc.messages)
    return _done(request, _("You have signed the acceptance."), "works_acceptance", project)


@_sign_in
@require_POST
def acceptance_paper_view(
    request: HttpRequest, slug: str, project_id: int, signer_id: int
) -> HttpResponse:
    project = _project(request, slug, project_id)
    signer = get_object_or_404(AcceptanceSigner, project=project, pk=signer_id)
    _require(request, "record_paper_signature", project)
    form = forms.PaperSignatureForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.acceptance_paper_record(
                actor=request.user, signer=signer, photo=form.cleaned_data["photo"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return _done(
                request, _("The paper signature is recorded."), "works_acceptance", project
            )
    return _acceptance_page(request, project, paper_form=form, recording=signer.pk)


# --- Evaluation ------------------------------------------------------------------------------


@_sign_in
def evaluation_view(request: HttpRequest, slug: str, project_id: int) -> HttpResponse:
    project = _project(request, slug, project_id)
    mine = selectors.evaluation_of(actor=request.user, project=project)
    initial = (
        {
            "result_rating": mine.result_rating,
            "process_rating": mine.process_rating,
            "comment": mine.comment,
        }
        if mine
        else {}
    )
    form = forms.EvaluationForm(posted(request), initial=initial)
    if request.method == "POST":
        _require(request, "evaluate", project)
        if form.is_valid():
            try:
                services.evaluation_give(actor=request.user, project=project, **form.cleaned_data)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                return _done(
                    request, _("Thank you for your evaluation."), "works_evaluation", project
                )
    return _page(
        request,
        project,
        "works/evaluation.html",
        {
            "summary": selectors.evaluation_summary(project=project, comments=50),
            "form": form,
            "mine": mine,
        },
        invalid=request.method == "POST",
    )


# --- Photos ----------------------------------------------------------------------------------

PHOTO_MODELS: dict[str, type[Model]] = {
    "design": DesignPhoto,
    "quote": QuotePhoto,
    "milestone": MilestonePhoto,
    "supervision": SupervisionPhoto,
    "signature": SignaturePhoto,
}
SIZES = ("thumb", "web", "full")


def _may_see_photo(request: HttpRequest, project: Project, kind: str, photo: Any) -> bool:
    user = request.user
    if kind == "signature":
        return permissions.can(user, "manage", project, model="works") or permissions.can(
            user, "record_paper_signature", project, model="works"
        )
    if permissions.can(user, "view", project, model="works"):
        return True
    # The chosen design is on the showcase, which may be public.
    if kind == "design" and permissions.can(user, "view_showcase", project, model="project"):
        chosen = selectors.design_chosen_option(project=project)
        return chosen is not None and photo.option_id == chosen.pk
    return False


@_sign_in
def photo_view(
    request: HttpRequest, slug: str, project_id: int, kind: str, photo_id: int, size: str
) -> FileResponse:
    ids_fit = 0 < photo_id < 2**63 and 0 < project_id < 2**63
    if kind not in PHOTO_MODELS or size not in SIZES or not ids_fit:
        raise Http404
    estate = community_selectors.estate_get(slug=slug)
    project = Project.objects.filter(estate=estate, pk=project_id).first()
    if project is None:
        raise Http404
    photo = PHOTO_MODELS[kind].objects.filter(project=project, pk=photo_id).first()  # type: ignore[attr-defined]
    if photo is None or not _may_see_photo(request, project, kind, photo):
        raise Http404
    return serve_photo(photo, size, f"{kind}-{photo.pk}-{size}")
