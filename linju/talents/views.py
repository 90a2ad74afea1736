"""Pages of the talents directory: the directory (members of the estate; filter by skill), a
profile with its gallery, one's own profile form with the consent box, invitations to answer,
and the invitation form a project's leader uses. A profile without consent is the same 404 as
a missing one to everybody but its person."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linju.community import selectors as community_selectors
from linju.community.models import Estate
from linju.core import permissions
from linju.core.http import form_errors, posted
from linju.core.images import serve_photo
from linju.talents import selectors, services
from linju.talents.forms import InviteForm, ProfileForm, WorkForm
from linju.talents.models import ProjectCredit, Skill, TalentProfile, shown_q

PHOTO_SIZES = ("thumb", "web", "full")


def _member_estate(request: HttpRequest, slug: str) -> Estate:
    estate = community_selectors.estate_get(slug=slug)
    if not permissions.can(request.user, "list", estate, model="talent_profile"):
        raise Http404
    return estate


@login_required
def directory_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _member_estate(request, slug)
    skill = request.GET.get("skill", "")
    skill = skill if skill in Skill.values else ""
    return render(
        request,
        "talents/directory.html",
        {
            "estate": estate,
            "profiles": selectors.directory(actor=request.user, estate=estate, skill=skill),
            "skills": Skill.choices,
            "skill": skill,
            "mine": selectors.own_profile(actor=request.user, estate=estate),
            "may_join": permissions.can(request.user, "create", TalentProfile(estate=estate)),
        },
    )


@login_required
def talent_detail_view(request: HttpRequest, slug: str, profile_id: int) -> HttpResponse:
    estate = _member_estate(request, slug)
    profile = selectors.profile_get(actor=request.user, estate=estate, profile_id=profile_id)
    return render(
        request,
        "talents/detail.html",
        {
            "estate": estate,
            "profile": profile,
            "works": profile.works.order_by("-added_at", "-pk"),
            "credits": profile.credits.filter(accepted_at__isnull=False).select_related(
                "project__estate"
            ),
            "is_mine": permissions.can(request.user, "change", profile),
        },
    )


@login_required
def talent_work_photo_view(
    request: HttpRequest, slug: str, work_id: int, size: str
) -> FileResponse:
    estate = _member_estate(request, slug)
    if size not in PHOTO_SIZES:
        raise Http404
    work = selectors.work_get(actor=request.user, estate=estate, work_id=work_id)
    return serve_photo(work, size, f"talent-{work.profile_id}-{work.pk}-{size}")


@login_required
def my_talent_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _member_estate(request, slug)
    mine = selectors.own_profile(actor=request.user, estate=estate)
    if mine is None and not permissions.can(request.user, "create", TalentProfile(estate=estate)):
        raise Http404
    form = ProfileForm(posted(request), initial=ProfileForm.initial_for(mine) if mine else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if mine is None:
                services.profile_create(
                    actor=request.user,
                    estate=estate,
                    display_name=data["display_name"],
                    profile=data["profile"],
                    skills=data["skills"],
                    consent=data["consent"],
                )
            else:
                services.profile_update(
                    actor=request.user,
                    profile=mine,
                    display_name=data["display_name"],
                    profile_text=data["profile"],
                    skills=data["skills"],
                    consent=data["consent"],
                )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            if data["consent"]:
                messages.success(request, _("Saved. Neighbours can now find you."))
            else:
                messages.success(request, _("Saved. Your profile is shown to nobody."))
            return redirect("my_talent", slug=slug)
    return render(
        request,
        "talents/mine.html",
        {
            "estate": estate,
            "form": form,
            "mine": mine,
            "work_form": WorkForm(),
            "works": mine.works.order_by("-added_at", "-pk") if mine else [],
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def my_talent_withdraw_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _member_estate(request, slug)
    mine = selectors.own_profile(actor=request.user, estate=estate)
    if mine is None:
        raise Http404
    try:
        services.profile_withdraw(actor=request.user, profile=mine)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Your profile, works and credits are hidden from everyone."))
    return redirect("my_talent", slug=slug)


@login_required
def my_work_add_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _member_estate(request, slug)
    mine = selectors.own_profile(actor=request.user, estate=estate)
    if mine is None or request.method != "POST":
        raise Http404
    form = WorkForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.work_add(
                actor=request.user,
                profile=mine,
                upload=form.cleaned_data["image"],
                caption=form.cleaned_data["caption"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The work is in your gallery."))
            return redirect("my_talent", slug=slug)
    return render(
        request,
        "talents/mine.html",
        {
            "estate": estate,
            "form": ProfileForm(initial=ProfileForm.initial_for(mine)),
            "mine": mine,
            "work_form": form,
            "works": mine.works.order_by("-added_at", "-pk"),
        },
        status=422,
    )


@login_required
@require_POST
def my_work_remove_view(request: HttpRequest, slug: str, work_id: int) -> HttpResponse:
    estate = _member_estate(request, slug)
    work = selectors.work_get(actor=request.user, estate=estate, work_id=work_id)
    if not permissions.can(request.user, "change", work.profile):
        raise Http404
    services.work_remove(actor=request.user, work=work)
    messages.success(request, _("The work is removed."))
    return redirect("my_talent", slug=slug)


@login_required
def invitations_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _member_estate(request, slug)
    return render(
        request,
        "talents/invitations.html",
        {"estate": estate, "credits": selectors.invitations(actor=request.user, estate=estate)},
    )


@login_required
@require_POST
def invitation_answer_view(
    request: HttpRequest, slug: str, credit_id: int, answer: str
) -> HttpResponse:
    estate = _member_estate(request, slug)
    credit = selectors.credit_get(actor=request.user, estate=estate, credit_id=credit_id)
    if not permissions.can(request.user, "answer", credit):
        raise Http404
    answer_with = services.credit_accept if answer == "accept" else services.credit_decline
    try:
        answer_with(actor=request.user, credit=credit)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if answer == "accept":
            messages.success(request, _("Thank you! You are credited on the project."))
        else:
            messages.success(request, _("You declined the invitation."))
    return redirect("talent_invitations", slug=slug)


@login_required
def project_invite_view(request: HttpRequest, slug: str, project_id: int) -> HttpResponse:
    estate = _member_estate(request, slug)
    from linju.projects.models import Project

    project = Project.objects.filter(estate=estate, pk=project_id).first()
    if project is None or not permissions.can(
        request.user, "create", ProjectCredit(estate_id=estate.pk, project=project)
    ):
        raise Http404
    profiles = TalentProfile.objects.filter(shown_q(), estate=estate).order_by("display_name")
    form = InviteForm(posted(request), profiles=profiles)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_invite_talent(
                actor=request.user,
                project=project,
                profile=form.cleaned_data["profile"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Invitation sent. The credit shows once they accept."))
            return redirect(project)
    return render(
        request,
        "talents/invite.html",
        {
            "estate": estate,
            "project": project,
            "form": form,
            "pending": project.talent_credits.filter(
                accepted_at__isnull=True, declined_at__isnull=True
            ).select_related("profile"),
        },
        status=422 if request.method == "POST" else 200,
    )
