"""Printing and downloads of a decision (notice, paper ballots, results, the record) and the
organisers' console for entering paper ballots and proxy letters.

Who may have what: the notice, from the announcement on, to anyone who may see the decision
(a draft only to its organisers, marked "DRAFT"); paper ballots to organisers; the results
announcement once published (organisers may print the count before, marked "NOT PUBLISHED");
the record per ``("decision", "export_record")``; the paper console and the photos of paper
ballots to organisers only. Everyone else gets the same 404 as for a missing page.
"""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from linju.community import selectors as community_selectors
from linju.community.models import Building
from linju.core import audit, permissions
from linju.core.http import form_errors, is_htmx
from linju.decisions import exports, pdf, selectors, services
from linju.decisions.forms import BallotForm
from linju.decisions.models import Ballot, Decision, PaperEntry, RollEntry, RollFlat

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
SEARCH_LIMIT = 20
DOCUMENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}
PAPER_OPEN = (Decision.Status.OPEN, Decision.Status.CLOSED)


def _decision(request: HttpRequest, slug: str, decision_id: int) -> Decision:
    estate = community_selectors.estate_get(slug=slug)
    return selectors.decision_get(actor=request.user, estate=estate, decision_id=decision_id)


def _allowed(request: HttpRequest, slug: str, decision_id: int, action: str) -> Decision:
    """The decision, if the actor may ``action`` it; otherwise the same 404 as a missing one."""
    decision = _decision(request, slug, decision_id)
    if not permissions.can(request.user, action, decision):
        raise Http404
    return decision


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    disposition = content_disposition_header(as_attachment=True, filename=filename)
    return HttpResponse(
        content, content_type=content_type, headers={"Content-Disposition": disposition or ""}
    )


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


# --- PDFs ------------------------------------------------------------------------------------


def decision_notice_pdf_view(request: HttpRequest, slug: str, decision_id: int) -> HttpResponse:
    decision = _decision(request, slug, decision_id)
    content = pdf.notice_pdf(decision=decision, site_url=_site_url(request))
    return _download(content, "application/pdf", pdf.file_name(decision, "notice"))


@login_required
def decision_ballots_pdf_view(request: HttpRequest, slug: str, decision_id: int) -> HttpResponse:
    decision = _allowed(request, slug, decision_id, "enter_paper")
    if decision.status in (Decision.Status.DRAFT, Decision.Status.CANCELLED):
        raise Http404
    building = None
    if raw := request.GET.get("building", ""):
        if not raw.isdigit():
            raise Http404
        building = Building.objects.filter(estate_id=decision.estate_id, pk=int(raw)).first()
        if building is None:
            raise Http404
    content = pdf.ballots_pdf(decision=decision, site_url=_site_url(request), building=building)
    return _download(content, "application/pdf", pdf.file_name(decision, "ballots", building))


def decision_results_pdf_view(request: HttpRequest, slug: str, decision_id: int) -> HttpResponse:
    decision = _decision(request, slug, decision_id)
    preview = decision.status == Decision.Status.TALLIED and permissions.can(
        request.user, "manage", decision
    )
    if not (decision.results_public or preview):
        raise Http404
    content = pdf.results_pdf(decision=decision, site_url=_site_url(request))
    return _download(content, "application/pdf", pdf.file_name(decision, "results"))


# --- The record ------------------------------------------------------------------------------


@login_required
def decision_record_json_view(request: HttpRequest, slug: str, decision_id: int) -> HttpResponse:
    decision = _allowed(request, slug, decision_id, "export_record")
    content = exports.record_json(actor=request.user, decision=decision)
    return _download(
        content, "application/json; charset=utf-8", pdf.file_name(decision, "record.json")
    )


@login_required
def decision_record_xlsx_view(request: HttpRequest, slug: str, decision_id: int) -> FileResponse:
    decision = _allowed(request, slug, decision_id, "export_record")
    out = io.BytesIO()
    exports.record_xlsx(actor=request.user, decision=decision, out=out)
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename=pdf.file_name(decision, "record.xlsx"),
        content_type=exports.XLSX_TYPE,
    )


# --- Paper ballots and proxy letters ---------------------------------------------------------


BAD_DOCUMENT = gettext_lazy("Attach a photo (JPEG or PNG) or a PDF of the ballot or the letter.")


def document_kind(upload: UploadedFile) -> str:
    """ "jpg", "png" or "pdf" by what the file really holds (not its name or declared type);
    ValidationError for anything else, for a damaged image and for a file over 10 MB."""
    if upload.size is None or upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(_("The file is larger than 10 MB."), code="too_big")
    upload.seek(0)
    head = upload.read(8)
    kind = ""
    if head.startswith(b"%PDF-"):
        upload.seek(max(0, upload.size - 1024))
        if b"%%EOF" in upload.read():
            kind = "pdf"
    elif head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")):
        from PIL import Image

        upload.seek(0)
        try:
            with Image.open(upload) as image:
                image.verify()
                kind = {"JPEG": "jpg", "PNG": "png"}.get(image.format or "", "")
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            kind = ""
    upload.seek(0)
    if not kind:
        raise ValidationError(BAD_DOCUMENT, code="not_a_document")
    return kind


class PaperEntryForm(BallotForm):
    """One staff member's reading of a paper ballot or a proxy letter, with its photo."""

    channel = forms.ChoiceField(
        label=gettext_lazy("What was handed in"),
        choices=[
            (Ballot.Channel.PAPER, gettext_lazy("a paper ballot")),
            (Ballot.Channel.PROXY, gettext_lazy("a written proxy (委托书) with its ballot")),
        ],
        initial=Ballot.Channel.PAPER,
        widget=forms.RadioSelect,
    )
    proxy_name = forms.CharField(
        label=gettext_lazy("Proxy named in the letter"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("Only for a proxy letter: the name of the person it names."),
    )
    document = forms.FileField(
        label=gettext_lazy("Photo of the ballot or letter"),
        help_text=gettext_lazy("JPEG, PNG or PDF, up to 10 MB. Only organisers can see it."),
        error_messages={"required": BAD_DOCUMENT},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["entry"]  # the page carries the voter found, once
        if "choice" in self.fields:
            self.fields["choice"].label = _("The vote on the paper")
        if "selections" in self.fields:
            self.fields["selections"].label = _("Ticked on the paper")
        order = ["channel", "proxy_name"]
        order += [n for n in self.fields if n not in ("channel", "proxy_name", "document")]
        self.order_fields([*order, "document"])

    def clean_document(self) -> UploadedFile:
        upload = self.cleaned_data["document"]
        upload.name = f"document.{document_kind(upload)}"
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("channel") == Ballot.Channel.PROXY and not (data.get("proxy_name") or ""):
            self.add_error("proxy_name", _("Write the name of the proxy the letter names."))
        return data


class DiscardForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is this entry set aside?"),
        max_length=200,
        error_messages={"required": gettext_lazy("Say why this entry is set aside.")},
    )


def _search(decision: Decision, q: str) -> list[RollEntry]:
    """Roll entries whose voter number or one of whose flats matches ``q``."""
    q = q.strip()
    if not q:
        return []
    return list(
        RollEntry.objects.filter(decision=decision, active=True)
        .filter(Q(ref__icontains=q) | Q(flats__label__icontains=q))
        .distinct()
        .prefetch_related(Prefetch("flats", queryset=RollFlat.objects.order_by("label")))
        .order_by("ref")[:SEARCH_LIMIT]
    )


def _entry(decision: Decision, raw: Any) -> RollEntry | None:
    if not str(raw or "").isdigit():
        return None
    return (
        RollEntry.objects.filter(decision=decision, active=True, pk=int(raw))
        .prefetch_related(Prefetch("flats", queryset=RollFlat.objects.order_by("label")))
        .first()
    )


def _mismatches(decision: Decision) -> list[dict[str, Any]]:
    """The readings that differ, grouped by voter, oldest first."""
    groups: dict[int, dict[str, Any]] = {}
    labels = {o.key: o.label for o in decision.options.all()}
    for reading in selectors.paper_entries(decision=decision, status=PaperEntry.Status.MISMATCH):
        reading.selection_labels = [labels.get(str(k), str(k)) for k in reading.selections]  # type: ignore[attr-defined]
        group = groups.setdefault(reading.entry_id, {"entry": reading.entry, "readings": []})
        group["readings"].append(reading)
    return list(groups.values())


def _paper_page(
    request: HttpRequest,
    decision: Decision,
    *,
    entry: RollEntry | None = None,
    form: PaperEntryForm | None = None,
    discard_errors: dict[int, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    q = request.GET.get("q", "")
    context = {
        "estate": decision.estate,
        "decision": decision,
        "q": q,
        "matches": _search(decision, q),
        "entry": entry,
        "counted": (
            Ballot.objects.filter(decision=decision, entry=entry, counted=True).first()
            if entry is not None
            else None
        ),
        "form": form,
        "can_enter": decision.status in PAPER_OPEN,
        "waiting": selectors.paper_entries(decision=decision, status=PaperEntry.Status.WAITING),
        "mismatches": _mismatches(decision),
        "discard_errors": discard_errors or {},
    }
    if is_htmx(request) and request.method == "GET" and "q" in request.GET:
        return render(request, "decisions/console/paper_matches.html", context)
    return render(request, "decisions/console/paper.html", context, status=status)


def _form(decision: Decision, data: Any = None, files: Any = None) -> PaperEntryForm:
    return PaperEntryForm(data, files, decision=decision, options=list(decision.options.all()))


@login_required
def decision_paper_view(request: HttpRequest, slug: str, decision_id: int) -> HttpResponse:
    decision = _allowed(request, slug, decision_id, "enter_paper")
    if request.method != "POST":
        entry = _entry(decision, request.GET.get("entry"))
        form = _form(decision) if entry is not None else None
        return _paper_page(request, decision, entry=entry, form=form)
    entry = _entry(decision, request.POST.get("entry"))
    form = _form(decision, request.POST, request.FILES)
    if entry is None:
        form.is_valid()
        form.add_error(None, _("Find the voter first: that voter is not on this roll."))
        return _paper_page(request, decision, form=form, status=422)
    if not form.is_valid():
        return _paper_page(request, decision, entry=entry, form=form, status=422)
    data = form.cleaned_data
    try:
        reading = services.paper_ballot_enter(
            actor=request.user,
            decision=decision,
            entry=entry,
            channel=data["channel"],
            proxy_name=data.get("proxy_name") or "",
            document=data["document"],
            **form.service_arguments(),
        )
    except ValidationError as exc:
        form_errors(form, exc)
        return _paper_page(request, decision, entry=entry, form=form, status=422)
    if reading.status == PaperEntry.Status.CONFIRMED:
        messages.success(
            request,
            _("%(voter)s: the second entry matches the first; the ballot is counted.")
            % {"voter": entry.ref},
        )
    elif reading.status == PaperEntry.Status.MISMATCH:
        messages.warning(
            request,
            _(
                "%(voter)s: this entry differs from an earlier one, so neither counts. Compare "
                "the photos below and set aside the wrong entry."
            )
            % {"voter": entry.ref},
        )
    else:
        messages.success(
            request,
            _("%(voter)s: entered. It counts once another staff member enters the same ballot.")
            % {"voter": entry.ref},
        )
    return redirect("decision_paper", slug=decision.estate.slug, decision_id=decision.pk)


def _paper_entry(decision: Decision, paper_id: int) -> PaperEntry:
    reading = (
        PaperEntry.objects.filter(decision=decision, pk=paper_id).select_related("entry").first()
    )
    if reading is None:
        raise Http404
    return reading


@login_required
@require_POST
def decision_paper_discard_view(
    request: HttpRequest, slug: str, decision_id: int, paper_id: int
) -> HttpResponse:
    decision = _allowed(request, slug, decision_id, "enter_paper")
    reading = _paper_entry(decision, paper_id)
    form = DiscardForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(list(form.errors["reason"]))
        services.paper_entry_discard(
            actor=request.user, paper_entry=reading, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        return _paper_page(request, decision, discard_errors={reading.pk: exc.messages}, status=422)
    messages.success(
        request, _("%(voter)s: the entry was set aside.") % {"voter": reading.entry.ref}
    )
    return redirect("decision_paper", slug=decision.estate.slug, decision_id=decision.pk)


@login_required
def decision_paper_photo_view(
    request: HttpRequest, slug: str, decision_id: int, paper_id: int
) -> FileResponse:
    decision = _allowed(request, slug, decision_id, "enter_paper")
    reading = _paper_entry(decision, paper_id)
    if not reading.document:
        raise Http404
    kind = reading.document.name.rsplit(".", 1)[-1].lower()
    content_type = DOCUMENT_TYPES.get(kind)
    if content_type is None:
        raise Http404
    try:
        handle = reading.document.open("rb")
    except OSError as exc:
        raise Http404 from exc
    audit.record_security(
        user=request.user,
        event="decision.paper_photo",
        estate=decision.estate,
        detail=f"decision {decision.pk} paper entry {reading.pk}",
    )
    # A PDF is downloaded, not shown: a sandboxed page cannot run the browser's PDF viewer,
    # and an uploaded PDF must not run in the site's origin.
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=kind == "pdf",
        filename=f"{reading.entry.ref}-{reading.pk}.{kind}",
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox"
    return response
