"""Conventions of the demo estate, made through the same services as real ones.

- Building 2's civility convention is being drafted: ten clauses, two saved versions with
  differences, and residents' comments on several clauses (one hidden, with its reason).
- Building 17's civility convention was adopted by a residents' vote (published) and is on the
  board; residents have marked it as read.
- The rules of building 17's non-motor-vehicle parking area (a space-rules convention, which
  the shared space links to by its title) were adopted the same way, with read marks.

The notice period cannot be waited out in a demo, so each vote's dates are moved after it is
announced, as if the weeks had passed; everything else is what the services did.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from linju.community.models import Building, Estate, Occupancy, Person
from linju.conventions import services
from linju.conventions.models import (
    Clause,
    ClauseComment,
    Convention,
    ConventionRead,
    ConventionVersion,
)
from linju.decisions import services as decisions
from linju.decisions.models import Decision, RollEntry
from linju.notices.models import Notice

SEED = 2024
PAPER_PHOTO = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
PARKING_RULES_TITLE = "17号楼 非机动车停放区 使用公约"

B2_FIRST_DRAFT = [
    "楼道、消防通道和电梯前室不堆放杂物、鞋柜和纸箱，保持通道畅通。",
    "电动自行车及其电池不进楼、不上楼，不在楼道内充电。",
    "生活垃圾按“干、湿、可回收、有害”分类，定时定点投放，不在楼道内暂存垃圾袋。",
    "饲养宠物文明：出门牵绳，及时清理粪便。",
    "晚上10点至次日早上7点不进行装修、不大声喧哗，控制电视和音响音量。",
    "不高空抛物，阳台和窗台不放置易坠落物品。",
    "爱护楼道公共设施和新装修的大堂，不在墙面张贴小广告。",
    "邻里互帮互助，关心楼内独居老人和有困难的家庭。",
]

B2_SECOND_DRAFT = [
    "楼道、消防通道和电梯前室不堆放任何杂物、鞋柜和纸箱，保持通道畅通，确有困难的可请楼组长协调临时存放。",
    "电动自行车及其电池不进楼、不上楼，不在楼道内充电，统一到小区充电棚充电。",
    "生活垃圾按“干、湿、可回收、有害”分类，定时定点投放，不在楼道内暂存垃圾袋。",
    "饲养宠物文明：出门牵绳，大型犬佩戴嘴套，及时清理粪便，不在楼道和大堂内便溺。",
    "晚上10点至次日早上7点、中午12点至下午1点半不进行装修、不大声喧哗，控制电视和音响音量。",
    "不高空抛物，阳台和窗台不放置易坠落物品。",
    "爱护楼道公共设施和新装修的大堂，不在墙面张贴小广告，损坏照价赔偿。",
    "大堂“公共会客厅”向全楼居民开放，使用后整理桌椅、带走垃圾。",
    "邻里互帮互助，关心楼内独居老人和有困难的家庭。",
    "本公约由全楼居民共同讨论制定，修改须经楼组议事会讨论并经居民表决通过。",
]

B2_COMMENTS = [
    (0, "赞成！三楼楼道里堆的旧家具已经半年了，消防检查时很危险。"),
    (0, "有的老人家里确实放不下东西，能不能由楼组长帮忙协调一个临时存放的地方？"),
    (1, "电动车不上楼我支持，但小区充电棚车位不够，晚上经常排不上，希望一并解决。"),
    (1, "建议写清楚电池也不能拎上楼充电，这是最危险的。"),
    (3, "大型犬应该戴嘴套，小孩在电梯里遇到很害怕。"),
    (3, "养狗的邻居大部分都很自觉，不要一刀切。"),
    (4, "中午也要安静一点吧，家里有老人和小孩午睡。"),
    (6, "新大堂是大家一起出钱出物装修的，损坏的应该照价赔偿。"),
]
B2_HIDDEN = (3, "五楼那家的狗天天叫，谁养的谁心里清楚！", "针对具体住户，请改为就事论事")

B17_CLAUSES = [
    "楼道和大堂保持整洁，不堆放杂物，大堂内的居民作品和绿植请共同爱护。",
    "电动自行车一律停放在一楼非机动车停放区，不进电梯、不上楼、不在楼内充电。",
    "生活垃圾分类投放，大件垃圾和装修垃圾预约清运，不在楼道和大堂停留。",
    "饲养宠物文明：出门牵绳，及时清理粪便，电梯内主动避让老人和儿童。",
    "晚上10点后和午休时间保持安静，装修按物业规定时间进行并提前在楼组群告知邻居。",
    "不高空抛物，空调外机和阳台花盆固定牢靠。",
    "爱护大堂和楼道的新设施，发现损坏及时告诉楼组长或物业。",
    "邻里守望相助，有事多商量，在楼组群里理性表达意见。",
    "新搬来的邻居由楼组长介绍本公约，大家共同遵守。",
]

PARKING_CLAUSES = [
    "停放区供17号楼居民的电动自行车、自行车和儿童推车使用，按地面标线分区停放。",
    "每户固定车位一个，由停放区管理员按登记顺序分配；车位已满时登记排队，有空位按顺序递补。",
    "车辆须贴本楼停车标识，长期不用的“僵尸车”经公示7天后由管理员清理。",
    "充电只在停放区内的智能充电桩进行，不私拉电线、不将电池带回家中充电。",
    "停放区内不堆放杂物、不吸烟，发现安全隐患及时告诉管理员或物业。",
    "停放区管理员由楼组推选，负责车位分配、秩序维护和每月一次的安全检查。",
    "使用停放区须先阅读并确认本公约；违反公约的，由管理员提醒，多次不改的暂停使用。",
]


def _shift(decision: Decision, **moments: datetime.datetime) -> Decision:
    Decision.objects.filter(pk=decision.pk).update(**moments)
    decision.refresh_from_db()
    return decision


def _account(person: Person) -> Any:
    """The person's account, made for the demo if they have none (they sign in by phone)."""
    if person.user_id is not None:
        return person.user
    users = get_user_model().objects
    username = f"resident-{person.pk}"
    user = users.filter(username=username).first()
    if user is None:
        user = users.create(
            username=username,
            display_name=person.full_name,
            phone=person.phone or None,
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Person.objects.filter(pk=person.pk).update(user=user)
    return user


def _residents(building: Building, count: int, rng: random.Random) -> list[Any]:
    """Accounts of ``count`` adult residents of ``building`` (one per flat)."""
    seen: set[int] = set()
    people = []
    for occupancy in (
        Occupancy.objects.current()
        .filter(flat__building=building, person__is_minor=False)
        .select_related("person__user")
        .order_by("flat__number", "pk")
    ):
        if occupancy.flat_id not in seen:
            seen.add(occupancy.flat_id)
            people.append(occupancy.person)
    rng.shuffle(people)
    return [_account(p) for p in people[:count]]


def _adopt(
    convention: Convention,
    *,
    staff: Any,
    clerks: list[Any],
    rng: random.Random,
    adopted_days_ago: int,
) -> Convention:
    """Put the convention to its residents' vote and carry the vote through: about two thirds
    of households take part (online where they have an account, else on paper entered by two
    clerks), most of them for adopting it; then counted, published, and the convention synced."""
    now = timezone.now()
    convention = services.adoption_vote_start(
        actor=staff,
        convention=convention,
        opens_at=now + datetime.timedelta(days=16),
        closes_at=now + datetime.timedelta(days=30),
    )
    decision = _shift(
        Decision.objects.get(pk=convention.decision.pk),  # type: ignore[union-attr]
        opens_at=now - datetime.timedelta(minutes=5),
    )
    decision = decisions.decision_open(actor=staff, decision=decision)
    adopt, reject = (o.key for o in decision.options.order_by("position"))
    entries = list(
        RollEntry.objects.filter(decision=decision, active=True)
        .select_related("voter__user")
        .order_by("ref")
    )
    rng.shuffle(entries)
    for entry in entries[: len(entries) * 2 // 3]:
        selection = [rng.choice([adopt] * 9 + [reject])]
        user = entry.voter.user if entry.voter else None
        if user is not None:
            decisions.ballot_cast(actor=user, decision=decision, entry=entry, selections=selection)
        else:
            for clerk in clerks:
                decisions.paper_ballot_enter(
                    actor=clerk,
                    decision=decision,
                    entry=entry,
                    channel="paper",
                    selections=selection,
                    document=ContentFile(PAPER_PHOTO, name="ballot.png"),
                )
    decision = _shift(decision, closes_at=timezone.now() - datetime.timedelta(minutes=1))
    decisions.decision_close(actor=staff, decision=decision)
    decision = decisions.decision_tally(actor=staff, decision=decision)
    decision = decisions.decision_publish(actor=staff, decision=decision)
    convention = services.convention_sync_with_decision(convention=convention, actor=staff)
    # Dates as they would have been: announced, voted and published weeks ago.
    published = now - datetime.timedelta(days=adopted_days_ago)
    closed = published - datetime.timedelta(days=1)
    opened = closed - datetime.timedelta(days=14)
    announced = opened - datetime.timedelta(days=16)
    Decision.objects.filter(pk=decision.pk).update(
        announced_at=announced,
        opens_at=opened,
        opened_at=opened,
        roll_frozen_at=opened,
        closes_at=closed,
        closed_at=closed,
        tallied_at=closed + datetime.timedelta(hours=20),
        published_at=published,
    )
    Convention.objects.filter(pk=convention.pk).update(adopted_at=published)
    if convention.notice_id is not None:
        Notice.objects.filter(pk=convention.notice_id).update(
            published_at=published,
            shown_until=timezone.localdate(published)
            + datetime.timedelta(days=services.NOTICE_DAYS),
        )
    convention.refresh_from_db()
    return convention


def _mark_read(convention: Convention, readers: list[Any], days_ago: int) -> None:
    now = timezone.now()
    for index, user in enumerate(readers):
        read, _new = services.convention_mark_read(actor=user, convention=convention)
        moment = now - datetime.timedelta(days=days_ago, hours=-index * 7)
        ConventionRead.objects.filter(pk=read.pk).update(read_at=min(moment, now))


def _project(estate: Estate, number: str) -> Any:
    from linju.projects.models import Project

    return Project.objects.filter(estate=estate, building__number=number).first()


@transaction.atomic
def demo_conventions(estate: Estate) -> list[Convention]:
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    users = get_user_model().objects
    staff = users.get(username="staff")
    clerks = [staff, users.get(username="owners")]
    now = timezone.now()

    # Building 2: drafting, two versions, comments on clauses.
    b2 = Building.objects.get(estate=estate, number="2")
    leader2 = users.get(username="leader2")
    draft = services.convention_create(
        actor=leader2,
        estate=estate,
        building=b2,
        title="2号楼 文明公约",
        clauses=B2_FIRST_DRAFT,
        project=_project(estate, "2"),
    )
    services.version_save(actor=leader2, convention=draft, note="楼组议事会讨论形成的初稿")
    clauses = list(Clause.objects.filter(convention=draft).order_by("position"))
    neighbours = _residents(b2, 6, rng)
    comments = []
    for (index, body), author in zip(B2_COMMENTS, neighbours * 2, strict=False):
        comments.append(
            services.clause_comment_post(actor=author, clause=clauses[index], body=body)
        )
    index, body, reason = B2_HIDDEN
    rude = services.clause_comment_post(actor=neighbours[-1], clause=clauses[index], body=body)
    services.clause_comment_hide(actor=leader2, comment=rude, reason=reason)
    for clause, text in zip(clauses[:7], B2_SECOND_DRAFT[:7], strict=True):
        services.clause_update(actor=leader2, clause=clause, text=text)
    services.clause_add(actor=leader2, convention=draft, text=B2_SECOND_DRAFT[7], position=8)
    services.clause_add(actor=leader2, convention=draft, text=B2_SECOND_DRAFT[9])
    services.version_save(
        actor=leader2, convention=draft, note="吸收居民意见：补充午休时段、宠物嘴套、会客厅使用"
    )
    stamp = now - datetime.timedelta(days=12)
    for offset, comment in enumerate([*comments, rude]):
        ClauseComment.objects.filter(pk=comment.pk).update(
            created_at=stamp + datetime.timedelta(hours=offset * 5)
        )
    ConventionVersion.objects.filter(convention=draft, number=1).update(
        created_at=now - datetime.timedelta(days=14)
    )
    ConventionVersion.objects.filter(convention=draft, number=2).update(
        created_at=now - datetime.timedelta(days=2)
    )

    # Building 17: the civility convention and the parking area's rules, both adopted.
    b17 = Building.objects.get(estate=estate, number="17")
    leader17 = users.get(username="leader17")
    civility = services.convention_create(
        actor=leader17,
        estate=estate,
        building=b17,
        title="17号楼 文明公约",
        clauses=B17_CLAUSES,
        project=_project(estate, "17"),
    )
    services.version_save(actor=leader17, convention=civility, note="楼组议事会定稿")
    civility = _adopt(civility, staff=staff, clerks=clerks, rng=rng, adopted_days_ago=200)
    parking = services.convention_create(
        actor=leader17,
        estate=estate,
        building=b17,
        kind=Convention.Kind.SPACE_RULES,
        title=PARKING_RULES_TITLE,
        clauses=PARKING_CLAUSES,
    )
    services.version_save(actor=leader17, convention=parking, note="停放区启用前定稿")
    parking = _adopt(parking, staff=staff, clerks=clerks, rng=rng, adopted_days_ago=180)
    readers17 = [users.get(username="resident17"), leader17, *_residents(b17, 14, rng)]
    unique = list({u.pk: u for u in readers17}.values())
    _mark_read(civility, unique[:12], days_ago=190)
    _mark_read(parking, unique[:10], days_ago=170)
    return [draft, civility, parking]
