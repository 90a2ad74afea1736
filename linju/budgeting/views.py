"""Pages of participatory budgeting, under the street's foundation pages
(``s/<street>/foundation/pb/...``): the residents' ballot on a phone and its receipt, the
results explained, the officer's console (open, close, count, publish, export), staff's paper
ballot entry and the analysts' "compute a .pb file" page.

A vote the visitor may not see is the same 404 as a missing one; a member of the street who
may see it but not act gets 403 from the service.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linju.budgeting import explain, selectors, services
from linju.budgeting.forms import BallotForm, PaperBallotForm, PbFileForm, VoteOpenForm
from linju.budgeting.models import BudgetVote
from linju.community.models import Estate
from linju.core import permissions
from linju.core.http import form_errors, posted
from linju.core.images import serve_photo
from linju.foundation.models import ApplicationPhoto, Programme
from linju.foundation.pb import pbfile

PHOTO_SIZES = ("thumb", "web", "full")


def _vote(request: HttpRequest, street: str, vote_id: int) -> BudgetVote:
    return selectors.vote_get(
        actor=request.user, street=selectors.street_get(slug=street), vote_id=vote_id
    )


def _ballot_page(
    request: HttpRequest, vote: BudgetVote, form: BallotForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    voters = services.voters_for(actor=user, vote=vote)
    mine = selectors.my_ballot(actor=user, vote=vote)
    household = selectors.household_ballot(vote=vote, flat=voters[0].flat if voters else None)
    form = form or BallotForm(vote=vote)
    now = timezone.now()
    return render(
        request,
        "budgeting/vote.html",
        {
            "vote": vote,
            "programme": vote.programme,
            "street": vote.programme.street,
            "cards": selectors.ballot_cards(vote=vote),
            "form": form,
            "chosen": [str(value) for value in (form["applications"].value() or [])],
            "now": now,
            "is_open": vote.is_open_at(now),
            "may_cast": permissions.can(user, "cast", vote) and bool(voters),
            "voter": voters[0] if voters else None,
            "my_ballot": mine,
            "household_ballot": household if mine is None else None,
            "may_manage": permissions.can(user, "manage", vote),
            "may_enter_paper": permissions.can(user, "enter_paper", vote),
            "may_see_results": permissions.can(user, "view_results", vote),
            "rule_label": explain.rule_label(vote.rule),
            "budget": explain.money(vote.rules.get("budget")),
        },
        status=status,
    )


@login_required
def vote_view(request: HttpRequest, street: str, vote_id: int) -> HttpResponse:
    vote = _vote(request, street, vote_id)
    if request.method != "POST":
        return _ballot_page(request, vote)
    form = BallotForm(request.POST, vote=vote)
    if form.is_valid():
        try:
            ballot = services.ballot_cast(
                actor=request.user, vote=vote, applications=form.cleaned_data["applications"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return redirect("pb_receipt", street=street, vote_id=vote.pk, receipt=ballot.receipt)
    return _ballot_page(request, vote, form, status=422)


@login_required
def receipt_view(request: HttpRequest, street: str, vote_id: int, receipt: str) -> HttpResponse:
    vote = _vote(request, street, vote_id)
    ballot = selectors.my_ballot(actor=request.user, vote=vote)
    if ballot is None or ballot.receipt != receipt:
        raise Http404
    return render(
        request,
        "budgeting/receipt.html",
        {
            "vote": vote,
            "programme": vote.programme,
            "street": vote.programme.street,
            "ballot": ballot,
        },
    )


def results_view(request: HttpRequest, street: str, vote_id: int) -> HttpResponse:
    vote = _vote(request, street, vote_id)
    if not permissions.can(request.user, "view_results", vote):
        raise Http404
    outcome = selectors.latest_outcome(vote=vote)
    if vote.status == BudgetVote.Status.PUBLISHED:
        outcome = vote.outcomes.filter(published_at__isnull=False).order_by("-pk").first()
    return render(
        request,
        "budgeting/results.html",
        {
            "vote": vote,
            "programme": vote.programme,
            "street": vote.programme.street,
            "outcome": outcome,
            "results": selectors.results_explained(outcome.explanations) if outcome else None,
            "may_manage": permissions.can(request.user, "manage", vote),
        },
    )


def photo_view(
    request: HttpRequest, street: str, vote_id: int, photo_id: int, size: str
) -> FileResponse:
    vote = _vote(request, street, vote_id)
    if size not in PHOTO_SIZES:
        raise Http404
    photo = ApplicationPhoto.objects.filter(
        pk=photo_id, application__in=vote.eligible.all()
    ).first()
    if photo is None:
        raise Http404
    return serve_photo(photo, size, f"pb-{vote.pk}-{photo.pk}")


# --- Officer's console -----------------------------------------------------------------------


@login_required
def console_view(request: HttpRequest, street: str, vote_id: int) -> HttpResponse:
    vote = _vote(request, street, vote_id)
    if not permissions.can(request.user, "manage", vote):
        raise Http404
    outcome = selectors.latest_outcome(vote=vote)
    return render(
        request,
        "budgeting/console.html",
        {
            "vote": vote,
            "programme": vote.programme,
            "street": vote.programme.street,
            "counts": selectors.ballot_counts(vote=vote),
            "cards": selectors.ballot_cards(vote=vote),
            "outcome": outcome,
            "results": selectors.results_explained(outcome.explanations) if outcome else None,
            "closes_passed": timezone.now() >= vote.closes_at,
            "rule_label": explain.rule_label(vote.rule),
            "budget": explain.money(vote.rules.get("budget")),
        },
    )


def _console_action(request: HttpRequest, street: str, vote_id: int, action: str) -> HttpResponse:
    vote = _vote(request, street, vote_id)
    service = {
        "close": services.vote_close,
        "count": services.outcome_compute,
        "publish": services.outcome_publish,
    }[action]
    try:
        service(actor=request.user, vote=vote)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            {
                "close": _("Voting is closed. Count the ballots next."),
                "count": _("The ballots are counted. Check the result, then publish it."),
                "publish": _(
                    "The result is published on the board of every estate of the street, and "
                    "the funded projects are awarded their grants."
                ),
            }[action],
        )
    return redirect("pb_console", street=street, vote_id=vote_id)


@login_required
@require_POST
def close_view(request: HttpRequest, street: str, vote_id: int) -> HttpResponse:
    return _console_action(request, street, vote_id, "close")


@login_required
@require_POST
def count_view(request: HttpRequest, street: str, vote_id: int) -> HttpResponse:
    return _console_action(request, street, vote_id, "count")


@login_required
@require_POST
def publish_view(request: HttpRequest, street: str, vote_id: int) -> HttpResponse:
    return _console_action(request, street, vote_id, "publish")


@login_required
def export_view(request: HttpRequest, street: str, vote_id: int) -> HttpResponse:
    vote = _vote(request, street, vote_id)
    if not permissions.can(request.user, "manage", vote):
        raise Http404
    try:
        text = services.vote_export_pb(actor=request.user, vote=vote)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("pb_console", street=street, vote_id=vote_id)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="linju-pb-{vote.pk}.pb"'
    return response


@login_required
def vote_open_view(request: HttpRequest, street: str, programme_id: int) -> HttpResponse:
    place = selectors.street_get(slug=street)
    programme = Programme.objects.filter(street=place, pk=programme_id).first()
    if programme is None or not permissions.can(
        request.user, "manage", BudgetVote(programme=programme)
    ):
        raise Http404
    form = VoteOpenForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            vote = services.vote_open(
                actor=request.user,
                programme=programme,
                opens_at=form.cleaned_data["opens_at"],
                closes_at=form.cleaned_data["closes_at"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The residents' vote is open."))
            return redirect("pb_console", street=street, vote_id=vote.pk)
    return render(
        request,
        "budgeting/open.html",
        {"programme": programme, "street": place, "form": form},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def vote_list_view(request: HttpRequest, street: str) -> HttpResponse:
    place = selectors.street_get(slug=street)
    votes = permissions.visible(
        request.user,
        BudgetVote.objects.filter(programme__street=place).select_related("programme"),
    )
    officer = permissions.can(request.user, "manage", BudgetVote(programme=Programme(street=place)))
    if not officer and not votes:
        raise Http404
    ready = []
    if officer:
        ready = list(
            Programme.objects.filter(
                street=place, status__in=services.OPEN_FOR, budget_vote__isnull=True
            ).exclude(selection=Programme.Selection.REVIEW)
        )
    return render(
        request,
        "budgeting/list.html",
        {"street": place, "votes": list(votes), "ready": ready, "officer": officer},
    )


# --- Paper ballots ---------------------------------------------------------------------------


@login_required
def paper_view(request: HttpRequest, street: str, vote_id: int) -> HttpResponse:
    vote = _vote(request, street, vote_id)
    if not permissions.can(request.user, "enter_paper", vote):
        raise Http404
    estates = [
        e
        for e in Estate.objects.filter(street=vote.programme.street)
        if permissions.can(request.user, "manage", e)
    ]
    form = PaperBallotForm(posted(request), vote=vote, estates=estates)
    if request.method == "POST" and form.is_valid():
        try:
            ballot = services.paper_ballot_enter(
                actor=request.user,
                vote=vote,
                person=form.cleaned_data["person"],
                applications=form.cleaned_data["applications"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Paper ballot entered. Receipt %(receipt)s.") % {"receipt": ballot.receipt},
            )
            return redirect("pb_paper", street=street, vote_id=vote.pk)
    return render(
        request,
        "budgeting/paper.html",
        {
            "vote": vote,
            "programme": vote.programme,
            "street": vote.programme.street,
            "form": form,
            "cards": selectors.ballot_cards(vote=vote),
            "counts": selectors.ballot_counts(vote=vote),
        },
        status=422 if request.method == "POST" else 200,
    )


# --- Computing a .pb file --------------------------------------------------------------------


def _election_name(election: pbfile.Election) -> str:
    meta = election.meta
    return meta.get("description") or meta.get("instance") or meta.get("unit") or ""


@login_required
def compute_view(request: HttpRequest, street: str) -> HttpResponse:
    place = selectors.street_get(slug=street)
    if not permissions.can(request.user, "compute", model="pb_file"):
        raise Http404
    form = PbFileForm(posted(request), request.FILES or None)
    computed = None
    if request.method == "POST" and form.is_valid():
        try:
            computed = services.pb_file_compute(
                actor=request.user,
                data=form.cleaned_data["file"].read(services.PB_FILE_MAX_BYTES + 1),
                rule=form.cleaned_data["rule"],
                exhaustive_stop=form.cleaned_data["exhaustive_stop"],
                comparison=form.cleaned_data["comparison"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
    return render(
        request,
        "budgeting/compute.html",
        {
            "street": place,
            "form": form,
            "computed": computed,
            "results": selectors.results_explained(computed.record) if computed else None,
            "election_name": _election_name(computed.election) if computed else "",
        },
        status=422 if request.method == "POST" and computed is None else 200,
    )
