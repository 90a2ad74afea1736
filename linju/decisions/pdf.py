"""Printable PDFs of a decision: the notice (公告) for the lobby board, the paper ballots, and
the results announcement.

A4, Chinese first with the English in small type, a QR code (the decision's page, or for the
results its public bulletin board). The fonts are the machine's Noto CJK fonts, embedded in the
PDF, so a print shop's computer without Chinese fonts prints them as they look here. Ballots
carry the voter number, flats and areas only: never a name or a phone number.

Who may print what is decided by the views (``views/printing.py``); these functions only draw.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import segno
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from linju.community.models import Building
from linju.decisions import rules, selectors
from linju.decisions.models import Decision, Option, RollEntry, RollFlat

PERCENT = Decimal("0.1")
# Characters a file name may not carry on the systems people download to.
_UNSAFE_IN_NAMES = str.maketrans({c: " " for c in '/\\:*?"<>|\r\n\t'})


def _qr_svg(url: str) -> SafeString:
    # A full QR code (never Micro QR, which WeChat's scanner does not read), sized by the page.
    qr = segno.make_qr(url, error="m")
    # segno writes only its own path data and the URL's characters are those of a URL.
    return mark_safe(qr.svg_inline(scale=1, border=3, omitsize=True))  # noqa: S308


def _absolute(site_url: str, path: str) -> str:
    return f"{site_url.rstrip('/')}{path}"


def file_name(decision: Decision, what: str, building: Building | None = None) -> str:
    """A download's name in the reader's language: "<title> 公告.pdf" and so on."""
    title = " ".join(decision.title.translate(_UNSAFE_IN_NAMES).split())[:80] or str(decision.pk)
    names = {
        "notice": _("%(title)s - notice.pdf"),
        "ballots": _("%(title)s - ballots.pdf"),
        "results": _("%(title)s - results.pdf"),
        "record.json": _("%(title)s - decision record.json"),
        "record.xlsx": _("%(title)s - decision record.xlsx"),
    }
    if what == "ballots" and building is not None:
        return _("%(title)s - ballots, building %(building)s.pdf") % {
            "title": title,
            "building": building.number,
        }
    return names[what] % {"title": title}


# --- What the documents say ------------------------------------------------------------------


@dataclass
class Thresholds:
    """The rules a decision is counted by, as the notice states them: the frozen copy once
    announced; for a draft, what announcing it today would freeze."""

    quorum: rules.Threshold
    approval: rules.Threshold
    deemed_consent: bool
    publish_voter_flats: bool
    online_over_paper: bool

    @property
    def quorum_fraction(self) -> str:
        return _fraction_text(self.quorum.fraction)

    @property
    def approval_fraction(self) -> str:
        return _fraction_text(self.approval.fraction)


def _fraction_text(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def thresholds(decision: Decision) -> Thresholds:
    frozen = decision.rules or {}
    standing = selectors.decision_settings_get(estate=decision.estate)

    def frozen_threshold(key: str, default: rules.Threshold) -> rules.Threshold:
        data = frozen.get(key)
        if isinstance(data, dict):
            try:
                return rules.Threshold.from_dict(data)
            except ValueError:
                pass
        return default

    if decision.kind == Decision.Kind.RESIDENTS:
        default_quorum = rules.Threshold(Fraction(decision.quorum_percent, 100), False)
        default_approval = rules.ORDINARY
    elif decision.kind == Decision.Kind.ELECTION:
        default_quorum, default_approval = rules.QUORUM, rules.ORDINARY
    else:
        default_quorum = rules.QUORUM
        default_approval = (
            rules.approval_threshold(decision.matter) if decision.matter else rules.ORDINARY
        )
    return Thresholds(
        quorum=frozen_threshold("quorum", default_quorum),
        approval=frozen_threshold("approval", default_approval),
        deemed_consent=bool(frozen.get("deemed_consent", standing.deemed_consent))
        and decision.kind == Decision.Kind.OWNERS,
        publish_voter_flats=bool(frozen.get("publish_voter_flats", standing.publish_voter_flats)),
        online_over_paper=bool(frozen.get("online_over_paper", standing.online_over_paper)),
    )


@dataclass
class Share:
    """A ratio as counted ("1234.50/1500.00"), with a rounded percentage for reading."""

    part: str
    whole: str
    percent: str
    unit: str = ""

    @classmethod
    def parse(cls, text: str | None, unit: str = "") -> Share | None:
        if not isinstance(text, str) or "/" not in text:
            return None
        part, whole = text.split("/", 1)
        try:
            exact_whole = Fraction(Decimal(whole))
            share = Fraction(Decimal(part)) / exact_whole if exact_whole else None
        except (ArithmeticError, ValueError):
            return None
        percent = ""
        if share is not None:
            hundredths = Decimal(share.numerator * 100) / Decimal(share.denominator)
            percent = str(hundredths.quantize(PERCENT, rounding=ROUND_HALF_UP))
        return cls(part=part, whole=whole, percent=percent, unit=unit)


def threshold_text(label: str | None) -> str:
    """ "2/3" (at least, 以上) as "≥ 2/3"; ">1/2" (more than, 过半数) as "> 1/2"."""
    if not label:
        return ""
    return f"> {label[1:]}" if label.startswith(">") else f"≥ {label}"


def _when(text: Any) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


def _shares(block: dict[str, Any] | None) -> dict[str, Any] | None:
    """A stored tally (strict or deemed) with its ratios parsed for the page."""
    if not block:
        return None
    participation = block.get("participation", {})
    approval = block.get("approval", {})
    nonvoters = [
        {
            **nonvoter,
            "deliveries": [
                {**d, "when": _when(d.get("at"))} for d in nonvoter.get("deliveries", [])
            ],
        }
        for nonvoter in block.get("nonvoters") or []
    ]
    return {
        **block,
        "nonvoters": nonvoters,
        "quorum_text": threshold_text(block.get("quorum_threshold")),
        "approval_text": threshold_text(approval.get("threshold")),
        "participation_area": Share.parse(participation.get("area"), "m²"),
        "participation_heads": Share.parse(participation.get("heads")),
        "approval_area": Share.parse(approval.get("area"), "m²"),
        "approval_heads": Share.parse(approval.get("heads")),
        "counts_list": [
            {"choice": choice, **(block.get("counts", {}).get(choice) or {})}
            for choice in rules.CHOICES
        ],
    }


@dataclass
class PrintedEntry:
    """One ballot: the voter number and the flats, nothing that names anyone."""

    ref: str
    flats: list[tuple[str, Decimal]] = field(default_factory=list)
    area: Decimal = Decimal("0.00")


def _scope(decision: Decision) -> list[Building]:
    return selectors.scope_buildings(decision=decision)


def _options(decision: Decision) -> list[Option]:
    return list(Option.objects.filter(decision=decision).order_by("position", "pk"))


def _context(decision: Decision, site_url: str) -> dict[str, Any]:
    page_url = _absolute(site_url, decision.get_absolute_url())
    return {
        "decision": decision,
        "estate": decision.estate,
        "scope": _scope(decision),
        "rules": thresholds(decision),
        "options": _options(decision),
        "page_url": page_url,
        "printed_at": timezone.now(),
    }


def _write(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # a heavy import, needed only here

    return HTML(string=render_to_string(template, context)).write_pdf()


# --- The documents ---------------------------------------------------------------------------


def notice_pdf(*, decision: Decision, site_url: str) -> bytes:
    """The notice for the lobby board, with a QR code of the decision's page. A draft is
    marked "DRAFT" on every page, a cancelled decision "CANCELLED"."""
    context = _context(decision, site_url)
    roll = selectors.participation(decision=decision) if decision.roll.exists() else None
    context.update(
        qr_svg=_qr_svg(context["page_url"]),
        roll=roll,
        draft=decision.status == Decision.Status.DRAFT,
        cancelled=decision.status == Decision.Status.CANCELLED,
    )
    return _write("decisions/pdf/notice.html", context)


def printed_entries(decision: Decision, building: Building | None = None) -> Iterable[PrintedEntry]:
    """The roll entries to print ballots for (those with a flat in ``building``, if given), in
    voter-number order, each with its flats and areas."""
    entries = RollEntry.objects.filter(decision=decision, active=True)
    if building is not None:
        entries = entries.filter(flats__building=building).distinct()
    entries = entries.select_related("flat", "flat__building", "flat__entrance").prefetch_related(
        Prefetch("flats", queryset=RollFlat.objects.order_by("label"))
    )
    for entry in entries.order_by("ref"):
        flats = [(flat.label, flat.area) for flat in entry.flats.all()]
        if not flats and entry.flat is not None:  # a household of a residents' vote
            flats = [(entry.flat.label, entry.flat.area)]
        yield PrintedEntry(ref=entry.ref, flats=flats, area=entry.area)


def ballots_pdf(*, decision: Decision, site_url: str, building: Building | None = None) -> bytes:
    """Paper ballots, one per roll entry (of ``building`` only, if given): voter number,
    flats and areas, the choices as boxes to tick, a signature line and a QR code of the
    decision's page."""
    context = _context(decision, site_url)
    context.update(
        qr_svg=_qr_svg(context["page_url"]),
        entries=list(printed_entries(decision, building)),
        building=building,
    )
    return _write("decisions/pdf/ballots.html", context)


def _residents_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    block = result.get("residents", {})
    labels = result.get("options", {})
    winners = set(block.get("winners", []))
    return [
        {
            "label": labels.get(key, key),
            "count": block.get("counts", {}).get(key, 0),
            "score": block.get("scores", {}).get(key, 0),
            "won": key in winners,
        }
        for key in block.get("order", [])
    ]


def _election_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    block = result.get("election", {})
    labels = result.get("options", {})
    return [
        {**candidate, "label": labels.get(str(candidate.get("key")), candidate.get("key"))}
        for candidate in block.get("candidates", [])
    ]


def _lots(result: dict[str, Any]) -> list[dict[str, list[str]]]:
    labels = result.get("options", {})
    return [
        {
            "tied": [labels.get(k, k) for k in lot.get("tied", [])],
            "drawn": [labels.get(k, k) for k in lot.get("drawn", [])],
        }
        for lot in result.get("election", {}).get("lots", [])
    ]


def results_pdf(*, decision: Decision, site_url: str) -> bytes:
    """The results announcement, with a QR code of the public bulletin board: participation
    and approval by area and by heads against each threshold, the outcome and why, both
    tallies where deemed consent applies, the per-building lines, and (where the estate chose
    so before voting opened) the flats that voted with their areas. A count not yet published
    is marked "NOT PUBLISHED" on every page."""
    context = _context(decision, site_url)
    board_url = _absolute(
        site_url, reverse("decision_board", args=[decision.estate.slug, decision.pk])
    )
    result = decision.result or {}
    participation = result.get("residents", {}).get("participation")
    election = result.get("election", {}).get("participation", {})
    context.update(
        qr_svg=_qr_svg(board_url),
        board_url=board_url,
        result=result,
        strict=_shares(result.get("strict")),
        deemed=_shares(result.get("deemed")),
        buildings=result.get("buildings", []),
        residents_rows=_residents_rows(result),
        residents_share=Share.parse(participation),
        election_rows=_election_rows(result),
        election_area=Share.parse(election.get("area"), "m²"),
        election_heads=Share.parse(election.get("heads")),
        lots=_lots(result),
        quorum_text=threshold_text(
            result.get("residents", result.get("election", {})).get("quorum_threshold")
        ),
        voter_flats=selectors.voter_flats(decision=decision),
        unpublished=not decision.results_public,
    )
    return _write("decisions/pdf/results.html", context)
