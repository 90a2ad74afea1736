"""The demo estate's ideas, supports, comments and topics, made through the same services as
real ones (then dated back, as if posted over the last weeks).

- Building 25: residents' ideas for the lobby with their supporters; "晚上大堂黑乎乎的" was
  merged by the group leader into the lighting idea it repeats (its supporters carried over,
  each counted once); two ideas became topics of "25号楼 大堂改造" (now at the design stage).
- Building 2: "2号楼 楼道文明公约与微更新" is collecting topics: three residents' ideas are on
  its topic list, two more are still open for support.
- Comments on building 17's finished project and on building 25's; one comment on building
  25's project was hidden by its group leader, with the reason residents read in its place.

Neighbours who support and comment get accounts of their own (they sign in with the phone
number the roster holds; the demo gives them no password).

Call ``demo_ideas(estate)`` after ``demo_projects(estate)``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from linju.community.models import Building, Estate, Occupancy, Person
from linju.ideas import services
from linju.ideas.models import Comment, Idea, IdeaSupport
from linju.projects.models import Project

# (key, title, details, days ago, author index, supporters); author/supporters are indexes of
# the building's demo neighbours ("L" = the building's group leader).
IDEAS_25 = (
    (
        "mailboxes",
        "大堂信报箱太旧了，很多锁都坏了",
        "信报箱是2009年交房时装的，现在一半以上锁芯锈死，广告单塞得满满的，快递通知常常丢。"
        "希望换成带编号的新信报箱。",
        40,
        0,
        (1, 2, 3, "L"),
    ),
    (
        "light",
        "大堂照明太暗，晚上回家看不清台阶",
        "进门那两级台阶晚上几乎看不见，上个月楼上的阿婆还绊了一跤。建议换成感应灯带，"
        "台阶边贴反光条。",
        38,
        1,
        (0, 3),
    ),
    (
        "chairs",
        "大堂放几把椅子，老人等电梯可以歇歇脚",
        "高峰时电梯要等好几分钟，老人拎着菜站着很吃力。靠墙放两三把结实的椅子就行。",
        35,
        2,
        (0, 1),
    ),
    (
        "dark",
        "晚上大堂黑乎乎的，能不能换亮一点的灯",
        "和邻居聊起来，大家都觉得晚上大堂太暗了。",
        33,
        3,
        (1, 2),  # neighbour 1 wrote the lighting idea: counted once after the merge
    ),
)

IDEAS_2 = (
    (
        "clutter",
        "楼道里堆了很多杂物，消防通道不通畅",
        "三楼到六楼的楼梯转角堆着旧家具和纸箱，万一着火很危险，也招蟑螂。",
        20,
        0,
        (1, 2, "L"),
    ),
    (
        "ebikes",
        "有人把电动车推进楼道充电，太危险了",
        "晚上经常看到电瓶车停在一楼楼梯口拉线充电。希望像17号楼那样有个安全的地方停车充电。",
        18,
        1,
        (0, 2, 3),
    ),
    (
        "convention",
        "一起订个楼道文明公约吧",
        "堆物、养狗、噪音这些事，与其在群里吵，不如大家一起商量几条规矩，写下来贴在楼道里。",
        15,
        2,
        (0, 1, 3, "L"),
    ),
    (
        "walls",
        "楼道墙面发黑掉皮，想重新粉刷",
        "特别是一到三楼，墙皮一碰就掉。",
        12,
        3,
        (1,),
    ),
    (
        "sensor",
        "每层楼梯口装个感应灯",
        "现在是拉线开关，很多已经坏了。",
        9,
        0,
        (2,),
    ),
)

COMMENTS_IDEAS = (
    ("25", "mailboxes", 2, "赞成！我家的信箱锁去年就打不开了。"),
    ("25", "mailboxes", "L", "已经记下，设计师来看现场时会一起量尺寸。"),
    ("25", "chairs", 0, "椅子最好有扶手，老人起身方便。"),
    ("2", "ebikes", 3, "同意，上个月别的小区就有电动车在楼道起火的新闻。"),
    ("2", "convention", "L", "好主意，我先把大家的意见收集起来，下周在楼道会客厅聊一聊。"),
    ("2", "walls", 2, "粉刷的时候顺便把小广告清一清。"),
)

COMMENTS_PROJECTS = (
    ("17", "resident17", "门厅现在亮堂多了，地板是邻居们捐的，大家都很爱惜。", 200),
    ("17", 0, "非机动车停放区划好以后，电动车再也不上楼了，楼道清爽多了。", 190),
    ("17", 1, "书法墙写得真好，来串门的亲戚都要拍照。", 150),
    ("17", "leader17", "谢谢大家！账目和前后对比照片都在展示页上，欢迎查看。", 140),
    ("25", 0, "设计方案出来以后能不能先在大堂贴出来，让不常用手机的老人也看看？", 10),
    ("25", "leader25", "可以，两个方案会同时贴在大堂公告栏，也会开一次会当面讲。", 9),
    ("25", 2, "信报箱能不能做成带快递格的？", 7),
)

HIDDEN = (
    "25",
    3,
    "装修找我，价格全小区最低，电话13912345678，微信同号。",
    "含有广告和个人电话号码，按本楼议事规则不在这里发布。",
    6,
)

NEIGHBOURS_PER_BUILDING = 4


def _neighbours(building: Building, count: int) -> list[Any]:
    """Residents of ``building`` without an account, given one (no password)."""
    users = get_user_model().objects
    found = []
    today = timezone.localdate()
    people = (
        Person.objects.filter(
            user__isnull=True,
            is_minor=False,
            occupancies__in=Occupancy.objects.current(today).filter(flat__building=building),
        )
        .distinct()
        .order_by("pk")[:count]
    )
    for n, person in enumerate(people, start=1):
        username = f"neighbour{building.number}-{n}"
        user = users.filter(username=username).first()
        if user is None:
            user = users.create(
                username=username, display_name=person.full_name, phone=None, is_active=True
            )
            user.set_unusable_password()
            user.save(update_fields=["password"])
        Person.objects.filter(pk=person.pk).update(user=user)
        found.append(user)
    return found


def _who(key: Any, neighbours: list[Any], leader: Any, users: Any) -> Any:
    if key == "L":
        return leader
    if isinstance(key, str):
        return users.get(username=key)
    return neighbours[key]


def _backdate(model: Any, pk: int, days: int, minutes: int = 0) -> None:
    moment = timezone.now() - datetime.timedelta(days=days, minutes=minutes)
    model.objects.filter(pk=pk).update(created_at=moment)


def _post_ideas(
    estate: Estate, building: Building, plan: tuple, neighbours: list[Any], leader: Any
) -> dict[str, Idea]:
    users = get_user_model().objects
    ideas: dict[str, Idea] = {}
    for key, title, body, days, author, supporters in plan:
        idea = services.idea_post(
            actor=_who(author, neighbours, leader, users),
            estate=estate,
            building=building,
            title=title,
            body=body,
        )
        for supporter in supporters:
            services.idea_support(actor=_who(supporter, neighbours, leader, users), idea=idea)
        IdeaSupport.objects.filter(idea=idea).update(
            created_at=timezone.now() - datetime.timedelta(days=days - 1)
        )
        _backdate(Idea, idea.pk, days)
        ideas[key] = idea
    return ideas


@transaction.atomic
def demo_ideas(estate: Estate) -> dict[str, Any]:
    """Ideas, supports, topics and comments of buildings 2, 17 and 25 (nothing is added if
    the estate has ideas already)."""
    if Idea.objects.filter(estate=estate).exists():
        return {}
    users = get_user_model().objects
    buildings = {
        b.number: b for b in Building.objects.filter(estate=estate, number__in=["2", "17", "25"])
    }
    leaders = {n: users.get(username=f"leader{n}") for n in buildings}
    neighbours = {n: _neighbours(b, NEIGHBOURS_PER_BUILDING) for n, b in buildings.items()}
    projects = {
        n: Project.objects.filter(estate=estate, building=b).order_by("pk").first()
        for n, b in buildings.items()
    }

    ideas25 = _post_ideas(estate, buildings["25"], IDEAS_25, neighbours["25"], leaders["25"])
    ideas2 = _post_ideas(estate, buildings["2"], IDEAS_2, neighbours["2"], leaders["2"])
    services.idea_merge(actor=leaders["25"], idea=ideas25["dark"], into=ideas25["light"])

    topics = []
    for number, ideas, keys in (
        ("25", ideas25, ("mailboxes", "light")),
        ("2", ideas2, ("clutter", "ebikes", "convention")),
    ):
        project = projects[number]
        if project is None or project.status != Project.Status.ACTIVE:
            continue
        for key in keys:
            topics.append(
                services.idea_to_topic(actor=leaders[number], idea=ideas[key], project=project)
            )
    if projects["25"] is not None and projects["25"].status == Project.Status.ACTIVE:
        topics.append(
            services.topic_add(
                actor=leaders["25"], project=projects["25"], title="大堂地面防滑和无障碍坡道"
            )
        )

    comments = []
    every = {"25": ideas25, "2": ideas2}
    for number, key, who, body in COMMENTS_IDEAS:
        comment = services.comment_post(
            actor=_who(who, neighbours[number], leaders[number], users),
            idea=every[number][key],
            body=body,
        )
        comments.append(comment)
    for number, who, body, days in COMMENTS_PROJECTS:
        if projects[number] is None:
            continue
        comment = services.comment_post(
            actor=_who(who, neighbours[number], leaders[number], users),
            project=projects[number],
            body=body,
        )
        _backdate(Comment, comment.pk, days)
        comments.append(comment)
    number, who, body, reason, days = HIDDEN
    if projects[number] is not None:
        hidden = services.comment_post(
            actor=_who(who, neighbours[number], leaders[number], users),
            project=projects[number],
            body=body,
        )
        for reporter in (neighbours[number][0], neighbours[number][1], leaders[number]):
            services.comment_report(actor=reporter, comment=hidden, reason="广告")
        services.comment_hide(actor=leaders[number], comment=hidden, reason=reason)
        _backdate(Comment, hidden.pk, days)
        comments.append(hidden)
    return {"ideas": [*ideas25.values(), *ideas2.values()], "topics": topics, "comments": comments}
