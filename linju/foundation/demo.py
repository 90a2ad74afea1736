"""The demo street's grant programme "2025 美丽楼组 微更新" (¥100,000) and the applications of
the buildings that asked to join (15, 16, 19 and 26).

Each of those buildings starts its project and opens its fund through the services, residents
give money to it, and the group leader applies from the project; the estate's committee staff
endorse each application and the foundation receives it. Everything goes through the services,
so the programme's rules (call window, most per application, co-funding share) are checked
as they would be for real applications. Call after the projects and funding demos, before the
grants and budgeting demos.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from linju.community.models import Building, Estate, Street
from linju.foundation import services
from linju.foundation.models import Application, Programme

PROGRAMME_NAME = "2025 美丽楼组 微更新"


@dataclass(frozen=True)
class DemoApplication:
    building: str
    title: str
    plan: str
    budget: Decimal
    requested: Decimal
    gifts: tuple[Decimal, ...]  # money residents gave to the fund, one entry each
    support: str


APPLICATIONS = (
    DemoApplication(
        "15",
        "15号楼 楼道焕新与休息角",
        "粉刷一至十八层楼道，更换声光感应灯；一楼大堂划出休息角，摆放居民捐出的藤椅和书架。"
        "设计由街道统一聘请的设计师完成，施工请三家报价后由居民代表选定，志愿者轮流监督。",
        Decimal("48000.00"),
        Decimal("32000.00"),
        (Decimal("7600.00"), Decimal("4800.00")),
        "楼组议事会 42 户到场，全部同意；楼组微信群接龙支持 96 户。",
    ),
    DemoApplication(
        "16",
        "16号楼 非机动车停放区与充电位",
        "学 8 号楼的做法：一楼闲置空间改为非机动车停放区，分区划线，加装 12 个智能充电位，"
        "订立使用公约并由楼组推选管理员，电动车不再上楼。",
        Decimal("36000.00"),
        Decimal("24000.00"),
        (Decimal("5200.00"), Decimal("4100.00")),
        "楼组会议 35 户到场，33 户同意；公约草案在楼道张贴征求意见两周。",
    ),
    DemoApplication(
        "19",
        "19号楼 适老扶手与无障碍坡道",
        "老人多的楼栋：每层加装扶手，单元门口建无障碍坡道，楼梯踏步贴防滑条，信报箱换新。",
        Decimal("56000.00"),
        Decimal("38000.00"),
        (Decimal("9000.00"), Decimal("5600.00")),
        "上门征询 88 户，81 户签字同意；业委会出具支持意见。",
    ),
    DemoApplication(
        "26",
        "26号楼 门厅书画角",
        "楼里的书画爱好者把门厅布置成书画角：统一画框和灯光，每季度换展，配一面居民留言墙。",
        Decimal("45000.00"),
        Decimal("30000.00"),
        (Decimal("6500.00"), Decimal("5000.00")),
        "楼组会议 30 户到场，全部同意；书画社 12 位居民愿意轮流布展。",
    ),
)

CRITERIA = (
    {
        "name": "居民参与度",
        "weight": 3,
        "description": "有多少居民参与议事、表决和出钱出力；过程是否公开。",
    },
    {
        "name": "方案可行性",
        "weight": 2,
        "description": "设计、预算和施工安排是否清楚可行，报价是否合理。",
    },
    {
        "name": "居民自筹比例",
        "weight": 2,
        "description": "居民自筹资金占项目预算的比例。",
    },
    {
        "name": "长效管理",
        "weight": 1,
        "description": "完工后谁来维护，有没有使用公约和管理员。",
    },
)


def _programme(street: Street, officer: Any) -> Programme:
    today = timezone.localdate()
    programme = services.programme_create(
        actor=officer,
        street=street,
        criteria=CRITERIA,
        name=PROGRAMME_NAME,
        description=(
            "万里社区基金会支持街道各小区的美丽楼组微更新：楼道、大堂、非机动车停放区、"
            "适老设施。居民先自筹，基金会按 1:1 配捐；"
            "申请多于预算时，由街道居民参与式预算投票决定。"
        ),
        budget="100000.00",
        applicants=Programme.Applicants.BUILDINGS,
        eligibility=(
            "1. 由楼组在“邻聚”上发起的楼组项目申请，经居委会背书后提交。\n"
            "2. 居民已自筹不少于项目预算的 20%。\n"
            "3. 单个项目申请不超过 4 万元。\n"
            "4. 项目须有居民表决或楼组会议的支持记录。"
        ),
        min_cofunding_share="20",
        max_amount="40000.00",
        matching_ratio="1.00",
        matching_cap="15000.00",
        call_opens=today - datetime.timedelta(days=21),
        call_closes=today + datetime.timedelta(days=30),
        review_ends=today + datetime.timedelta(days=50),
        decision_on=today + datetime.timedelta(days=65),
        selection=Programme.Selection.BOTH,
        pb_rule=Programme.PBRule.MES_ADD1,
        pb_ballot=Programme.PBBallot.APPROVAL,
        pb_min=1,
        pb_max=3,
        pb_unit=Programme.PBUnit.RESIDENT,
    )
    Programme.objects.filter(pk=programme.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=28)
    )
    return services.programme_publish(actor=officer, programme=programme)


def _project_with_fund(estate: Estate, plan: DemoApplication, leader: Any) -> Any:
    from linju.funding import services as funding
    from linju.projects import services as projects

    building = Building.objects.get(estate=estate, number=plan.building)
    project = projects.project_create(
        actor=leader, estate=estate, building=building, title=plan.title, summary=plan.plan
    )
    fund = funding.fund_create(
        actor=leader,
        estate=estate,
        building=building,
        title=plan.title,
        purpose=plan.plan[:2000],
        target=plan.budget,
        treasurer=leader,
    )
    for gift in plan.gifts:
        funding.contribution_record(
            actor=leader, fund=fund, amount=gift, method="cash", description="楼组居民自筹"
        )
    return projects.project_update(
        actor=leader,
        project=project,
        title=project.title,
        summary=project.summary,
        budget=plan.budget,
        fund=fund,
    )


@transaction.atomic
def demo_foundation(estate: Estate) -> Programme:
    """The programme and the four applications, received by the foundation (nothing is added
    if the street already has the programme)."""
    existing = Programme.objects.filter(street=estate.street, name=PROGRAMME_NAME).first()
    if existing is not None:
        return existing
    users = get_user_model().objects
    officer = users.get(username="foundation")
    staff = users.get(username="staff")
    programme = _programme(estate.street, officer)
    for plan in APPLICATIONS:
        leader = users.get(username=f"leader{plan.building}")
        project = _project_with_fund(estate, plan, leader)
        application: Application = services.application_create(
            actor=leader,
            programme=programme,
            project=project,
            title=plan.title,
            plan=plan.plan,
            budget=plan.budget,
            requested=plan.requested,
            support=plan.support,
        )
        services.application_submit(actor=leader, application=application)
        services.application_endorse(
            actor=staff, application=application, message="居委会已核实楼组会议记录，同意推荐。"
        )
        services.application_receive(actor=officer, application=application)
    return programme
