"""Design, works and acceptance in the demo estate, made through the same services as real ones.

- Building 25's lobby project is at the design stage: its designer (account ``designer25``)
  has uploaded a plan and two options, "温馨木色" and "简约明亮", with pictures; committee staff
  put them to the building's residents' vote, which is open now with some households voted.
- Building 17's finished project has three quotes (one chosen, with why), its milestones done
  with photos, the volunteers' supervision log, the acceptance checklist signed by three
  representatives (one on paper) and the evaluation of about twenty residents.

Residents who take part get accounts (without a password: they would sign in by phone). The
notice period of a vote cannot be waited out in a demo, so the vote's opening is moved back
after it is announced, as if the weeks had passed; building 17's project is reopened for the
steps a finished project no longer takes (the evaluation), then finished again at its date.
"""

from __future__ import annotations

import datetime
import io
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from linju.community.models import Estate, Occupancy, Person
from linju.decisions import services as decisions
from linju.decisions.models import Decision
from linju.decisions.selectors import voter_entries
from linju.projects.models import Project, ProjectMember
from linju.works import services
from linju.works.models import Milestone, SupervisionEntry

SEED = 2517
DESIGNER = "designer25"


def _picture(colours: tuple[str, str, str], seed: int, size: tuple[int, int] = (960, 720)):
    """A simple drawing (floor, walls, furniture blocks) standing in for a rendering."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)  # noqa: S311 - demo pictures
    floor, wall, accent = colours
    image = Image.new("RGB", size, wall)
    draw = ImageDraw.Draw(image)
    width, height = size
    draw.polygon(
        [
            (0, height),
            (width, height),
            (width * 3 // 4, height * 3 // 5),
            (width // 4, height * 3 // 5),
        ],
        fill=floor,
    )
    for _ in range(4):
        x = rng.randint(width // 5, width * 3 // 5)
        y = rng.randint(height * 3 // 5, height * 4 // 5)
        draw.rectangle([x, y - rng.randint(40, 120), x + rng.randint(60, 180), y], fill=accent)
    draw.rectangle([width // 3, height // 6, width * 2 // 3, height // 2], outline=accent, width=8)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return SimpleUploadedFile(f"picture-{seed}.jpg", out.getvalue(), content_type="image/jpeg")


WOOD = ("#b08358", "#f3e6d3", "#7a5230")
BRIGHT = ("#d9dde3", "#ffffff", "#4a90c2")
SITE = ("#9a9a9a", "#d8d2c8", "#5f5a52")


def _accounts(estate: Estate, number: str, count: int, prefix: str) -> list[Any]:
    """Accounts for ``count`` adult residents of building ``number``, one per household."""
    users = get_user_model().objects
    people: list[Person] = []
    seen_flats: set[int] = set()
    occupancies = (
        Occupancy.objects.current()
        .filter(flat__building__estate=estate, flat__building__number=number)
        .select_related("person")
        .order_by("flat__number", "pk")
    )
    for occupancy in occupancies:
        person = occupancy.person
        if occupancy.flat_id in seen_flats or person.is_minor:
            continue
        seen_flats.add(occupancy.flat_id)
        if person.user_id is None:
            people.append(person)
        if len(people) == count:
            break
    made = []
    for index, person in enumerate(people, start=1):
        user = users.create(username=f"{prefix}{index:02d}", display_name=person.full_name)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        person.user = user
        person.save(update_fields=["user"])
        made.append(user)
    return made


def _designer(estate: Estate, project: Project, staff: Any) -> Any:
    from linju.community.demo import DEMO_PASSWORD
    from linju.projects.services import project_member_invite

    user, created = get_user_model().objects.get_or_create(
        username=DESIGNER, defaults={"display_name": "周静（社区规划师）"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    if not ProjectMember.objects.filter(project=project, user=user, ended_at__isnull=True).exists():
        project_member_invite(
            actor=staff,
            project=project,
            user=user,
            kind="designer",
            organisation="万里社区规划工作室",
        )
    return user


def _building25(estate: Estate, staff: Any, rng: random.Random) -> Decision:
    project = (
        Project.objects.filter(estate=estate, building__number="25").order_by("-created_at").first()
    )
    assert project is not None, "demo_projects must run first"
    designer = _designer(estate, project, staff)
    services.design_plan_add(
        actor=designer,
        project=project,
        title="25号楼大堂改造平面方案",
        description=(
            "根据听证会汇总的问题清单：信箱区拥挤、地面老化、照明不足、缺少休息座椅。"
            "方案保留消防通道宽度，信箱墙整体移至东侧，西侧设公共会客角。"
        ),
        photos=[_picture(SITE, 1), _picture(SITE, 2)],
    )
    for label, description, cost, colours, seed in (
        (
            "温馨木色",
            "木纹地板与暖色灯光，会客角配布艺沙发和书架，墙面展示居民书画作品。",
            "16800.00",
            WOOD,
            10,
        ),
        (
            "简约明亮",
            "浅灰防滑地砖与白色墙面，嵌入式LED灯带，会客角用可移动桌椅，方便举办楼组活动。",
            "14200.00",
            BRIGHT,
            20,
        ),
    ):
        services.design_option_add(
            actor=designer,
            project=project,
            label=label,
            description=description,
            estimated_cost=cost,
            photos=[_picture(colours, seed), _picture(colours, seed + 1)],
        )
    services.design_scope_set(
        actor=designer,
        project=project,
        changes_common_use=True,
        note="大堂西侧一角改作公共会客厅。",
    )
    voters = _accounts(estate, "25", 14, "r25-")
    now = timezone.now()
    vote = services.design_vote_start(
        actor=staff,
        project=project,
        title="25号楼大堂改造：选择设计方案",
        opens_at=now + datetime.timedelta(days=16),
        closes_at=now + datetime.timedelta(days=30),
    )
    decision = vote.decision
    Decision.objects.filter(pk=decision.pk).update(
        opens_at=now - datetime.timedelta(days=2),
        closes_at=now + datetime.timedelta(days=12),
        announced_at=now - datetime.timedelta(days=18),
    )
    decision.refresh_from_db()
    decision = decisions.decision_open(actor=staff, decision=decision)
    keys = {o.label: o.key for o in decision.options.all()}
    for user in voters[:9]:
        choice = rng.choice(["温馨木色", "温馨木色", "简约明亮"])
        # A neighbour who owns two flats votes once for each: the demo votes for the first.
        entry = voter_entries(actor=user, decision=decision)[0].entry
        decisions.ballot_cast(actor=user, decision=decision, entry=entry, selections=[keys[choice]])
    return decision


QUOTES = (
    ("上海启明装饰工程有限公司", "19800.00", "地砖铺设（含辅材）\n墙面乳胶漆\n照明改造\n质保两年"),
    ("普陀区万家居建筑装潢队", "16500.00", "地砖铺设\n墙面翻新\n照明改造\n信箱墙移位\n质保三年"),
    ("沪西美居工程服务部", "15200.00", "地砖铺设\n墙面翻新\n照明改造（不含灯具）\n质保一年"),
)
MILESTONES = (
    "拆除旧地面与吊顶",
    "水电与照明线路改造",
    "地面铺设与墙面翻新",
    "会客角家具进场、清洁",
)
SUPERVISION = (
    "今天上午旧地砖拆除完毕，施工队按约定每天下午五点前清运垃圾，楼道干净。",
    "抽查了新到的地砖，型号与报价单一致，数量核对无误。",
    "线路改造时发现一处老化电线，已请物业一起确认更换，未增加费用。",
    "地砖铺好后用水平尺抽查了五处，平整度良好。",
    "会客角沙发是居民捐赠的，已检查牢固，边角加了防撞条。",
)
ITEMS = (
    ("地面平整、无空鼓、无裂缝", "pass", ""),
    ("照明全部正常，感应灯灵敏", "pass", ""),
    ("墙面无污损、无色差", "note", "东侧墙角有一处轻微色差，施工方已同意补涂"),
    ("信箱墙安装牢固，编号清楚", "pass", ""),
    ("消防通道宽度不小于1.4米，无占用", "pass", ""),
)
COMMENTS = (
    "大堂亮堂多了，老人进出也安心。",
    "全程都在群里公示，钱花在哪里一清二楚。",
    "会客角很好，楼里的孩子放学后在这里写作业。",
    "施工期间噪音有点大，但都在白天，可以理解。",
    "希望以后楼道也能照这样改一改。",
    "地砖颜色选得好，耐脏。",
)


@transaction.atomic
def _building17(estate: Estate, staff: Any, rng: random.Random) -> None:
    project = (
        Project.objects.filter(estate=estate, building__number="17").order_by("-created_at").first()
    )
    assert project is not None, "demo_projects must run first"
    users = get_user_model().objects
    leader = users.get(username="leader17")
    finished = {"status": project.status, "finished_at": project.finished_at}
    Project.objects.filter(pk=project.pk).update(status=Project.Status.ACTIVE)
    project.refresh_from_db()
    residents = _accounts(estate, "17", 22, "r17-")
    quotes = [
        services.quote_add(
            actor=leader,
            project=project,
            contractor=name,
            amount=amount,
            items=items,
            valid_until=timezone.localdate() - datetime.timedelta(days=200),
        )
        for name, amount, items in QUOTES
    ]
    services.quote_choose(
        actor=leader,
        quote=quotes[1],
        reason="报价居中，项目最全（含信箱墙移位），质保三年；居民代表走访了该队做过的两个楼道。",
    )
    start = (project.finished_at or timezone.now()) - datetime.timedelta(days=75)
    for index, title in enumerate(MILESTONES):
        milestone = services.milestone_add(actor=leader, project=project, title=title)
        services.milestone_complete(
            actor=leader, milestone=milestone, photos=[_picture(SITE, 100 + index)]
        )
        when = start + datetime.timedelta(days=12 * (index + 1))
        Milestone.objects.filter(pk=milestone.pk).update(
            done_at=when, due_on=when.date() + datetime.timedelta(days=2)
        )
    for index, text in enumerate(SUPERVISION):
        entry = services.supervision_add(
            actor=residents[index],
            project=project,
            text=text,
            photos=[_picture(SITE, 200 + index)] if index % 2 == 0 else [],
        )
        SupervisionEntry.objects.filter(pk=entry.pk).update(
            created_at=start + datetime.timedelta(days=10 * index + 3)
        )
    for text, _result, _note in ITEMS:
        services.acceptance_item_add(actor=leader, project=project, text=text)
    for item, (_text, result, note) in zip(
        project.acceptance_items.order_by("position"), ITEMS, strict=True
    ):
        services.acceptance_item_check(actor=leader, item=item, result=result, note=note)
    representatives = [Person.objects.get(user=u) for u in residents[:3]]
    signers = services.acceptance_representatives_set(
        actor=leader, project=project, people=representatives
    )
    for signer, user in zip(signers[:2], residents[:2], strict=True):
        services.acceptance_sign(actor=user, signer=signer)
    services.acceptance_paper_record(actor=staff, signer=signers[2], photo=_picture(BRIGHT, 300))
    for user in residents[2:]:
        services.evaluation_give(
            actor=user,
            project=project,
            result_rating=rng.choice([5, 5, 5, 4, 4, 3]),
            process_rating=rng.choice([5, 5, 4, 4, 4, 3]),
            comment=rng.choice(COMMENTS) if rng.random() < 0.5 else "",
        )
    Project.objects.filter(pk=project.pk).update(**finished)


def demo_works(estate: Estate) -> None:
    """Run after ``demo_projects(estate)``, which makes the projects of buildings 17 and 25."""
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    staff = get_user_model().objects.get(username="staff")
    with transaction.atomic():
        _building25(estate, staff, rng)
    _building17(estate, staff, rng)
