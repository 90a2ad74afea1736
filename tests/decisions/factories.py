"""factory_boy factories for decisions, with a trait for each governance state.

A decision is drafted through ``services.decision_create`` and moved on by the services
themselves (announce, open, close, count, publish), with only the clock moved in between: the
notice period is 15 days, so ``opens_at`` and ``closes_at`` are set into the past directly in
the database before opening and closing, as the worker would find them once the time came.

    DecisionFactory(estate=world.here, buildings=[world.b1])            # a draft
    DecisionFactory(estate=world.here, open=True)                       # voting open
    DecisionFactory(estate=world.here, published=True, ballots={...})   # counted and public

``ballots`` maps a voting user to a choice (or a list of option labels), cast online while the
decision is open, before it is closed.
"""

from __future__ import annotations

import datetime
from typing import Any

import factory
from django.utils import timezone

from linju.community.models import Flat, Owner, OwnerMember, Person, Role
from linju.decisions import selectors, services
from linju.decisions.models import Decision
from tests import factories as f

STATES = ("draft", "announced", "open", "closed", "tallied", "published", "archived")


def owned_by(flat: Flat, person: Person, name: str = "") -> Owner:
    """Record ``person`` as the owner (and so the online voter) of ``flat``."""
    owner = Owner.objects.create(estate_id=flat.estate_id, name=name or person.full_name)
    OwnerMember.objects.create(estate_id=flat.estate_id, owner=owner, person=person)
    flat.owner = owner
    flat.save(update_fields=["owner"])
    return owner


def organiser_of(estate: Any) -> Any:
    """A residents' committee staff account of ``estate`` (the first one, or a new one)."""
    role = (
        Role.objects.current()
        .filter(estate=estate, kind=Role.Kind.COMMITTEE_STAFF)
        .select_related("user")
        .first()
    )
    if role is not None:
        return role.user
    return f.RoleFactory(estate=estate, kind=Role.Kind.COMMITTEE_STAFF).user


def move(decision: Decision, **minutes_from_now: int) -> Decision:
    """Set ``opens_at``/``closes_at`` to now plus the given minutes (negative: in the past)."""
    now = timezone.now()
    Decision.objects.filter(pk=decision.pk).update(
        **{name: now + datetime.timedelta(minutes=m) for name, m in minutes_from_now.items()}
    )
    decision.refresh_from_db()
    return decision


def cast(decision: Decision, ballots: dict[Any, Any]) -> None:
    """Cast each user's ballot online: a choice for owners, option labels otherwise."""
    keys = {o.label: o.key for o in decision.options.all()}
    for user, vote in ballots.items():
        if isinstance(vote, str) and decision.kind == Decision.Kind.OWNERS:
            services.ballot_cast(actor=user, decision=decision, choice=vote)
        else:
            labels = [vote] if isinstance(vote, str) else list(vote)
            services.ballot_cast(
                actor=user, decision=decision, selections=[keys[label] for label in labels]
            )


def advance(
    decision: Decision, *, to: str, actor: Any, ballots: dict[Any, Any] | None = None
) -> Decision:
    """Move a draft through the lifecycle by the services until it reaches status ``to``."""
    target = STATES.index(to)
    if target >= 1:
        decision = services.decision_announce(actor=actor, decision=decision)
    if target >= 2:
        move(decision, opens_at=-1)
        decision = services.decision_open(actor=actor, decision=decision)
        cast(decision, ballots or {})
    if target >= 3:
        move(decision, closes_at=-1)
        decision = services.decision_close(actor=actor, decision=decision)
    if target >= 4:
        decision = services.decision_tally(actor=actor, decision=decision)
    if target >= 5:
        decision = services.decision_publish(actor=actor, decision=decision)
    if target >= 6:
        decision = services.decision_archive(actor=actor, decision=decision)
    decision.refresh_from_db()
    return decision


class DecisionFactory(factory.django.DjangoModelFactory):
    """A decision drafted by the estate's committee staff; traits ``announced``, ``open``,
    ``closed``, ``tallied``, ``published`` and ``archived`` take it there by the services.
    Kinds: the default owners' decision (item 7), traits ``residents`` and ``election``."""

    class Meta:
        model = Decision

    estate = factory.SubFactory(f.EstateFactory)
    kind = Decision.Kind.OWNERS
    title = factory.Sequence(lambda n: f"大堂改造{n}")
    body = "更换大堂地砖和照明，费用由维修资金支出。"
    matter = 7
    opens_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=16))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=30))
    state = "draft"

    class Params:
        announced = factory.Trait(state="announced")
        open = factory.Trait(state="open")
        closed = factory.Trait(state="closed")
        tallied = factory.Trait(state="tallied")
        published = factory.Trait(state="published")
        archived = factory.Trait(state="archived")
        residents = factory.Trait(
            kind=Decision.Kind.RESIDENTS,
            matter=None,
            options=factory.LazyFunction(lambda: ["方案一", "方案二"]),
            title=factory.Sequence(lambda n: f"楼道公约{n}"),
        )
        election = factory.Trait(
            kind=Decision.Kind.ELECTION,
            matter=3,
            seats=2,
            options=factory.LazyFunction(lambda: ["王一", "李二", "张三"]),
            title=factory.Sequence(lambda n: f"业委会选举{n}"),
        )

    @classmethod
    def _create(cls, model_class: type[Decision], *args: Any, **kwargs: Any) -> Decision:
        state = kwargs.pop("state")
        actor = kwargs.pop("actor", None) or organiser_of(kwargs["estate"])
        ballots = kwargs.pop("ballots", None)
        settings = kwargs.pop("settings", None)
        if settings:
            current = selectors.decision_settings_get(estate=kwargs["estate"])
            values = {
                "deemed_consent": current.deemed_consent,
                "publish_voter_flats": current.publish_voter_flats,
                "online_over_paper": current.online_over_paper,
                "notice_days": current.notice_days,
                **settings,
            }
            services.decision_settings_update(actor=actor, estate=kwargs["estate"], **values)
        decision = services.decision_create(actor=actor, **kwargs)
        return advance(decision, to=state, actor=actor, ballots=ballots)
