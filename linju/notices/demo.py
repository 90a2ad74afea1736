"""The demo estate's disclosure board, made through the same services as real notices.

- Pinned for the estate: the result of building 15's stairwell vote (decisions of the
  residents' meeting and their implementation).
- For building 17: the lobby hearing (三会) and the use of money raised for its renovation.
- For the estate: the residents' committee's working funds for the quarter.

Building 17's leader has opened the hearing notice, so staff see one read receipt; resident17
has not opened anything yet.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from linju.community.models import Building, Estate
from linju.notices import services
from linju.notices.models import Notice

NOTICES = (
    (
        None,
        Notice.Category.MEETING,
        "15号楼楼道微更新表决结果公告",
        "15号楼业主共同决定“楼道微更新（墙面、扶手、照明）”已按《民法典》第二百七十八条"
        "计票并通过。表决结果、分楼栋统计和可核验的表决记录见平台“表决”页面。",
        30,
        True,
    ),
    (
        "17",
        Notice.Category.PUBLIC_MONEY,
        "17号楼楼道微更新筹款和支出公示",
        "本楼居民的捐款、捐物和街道配捐，以及每一笔支出和发票，都在平台“资金”页面逐笔公示，"
        "账本链头印在每月的公示报告上，任何人都可以核对。",
        30,
        False,
    ),
    (
        None,
        Notice.Category.WORKING_FUNDS,
        "居委会本季度工作经费使用情况",
        "本季度工作经费主要用于楼组长培训、议事会茶水和打印公告，明细见附件和平台公示。",
        30,
        False,
    ),
)


@transaction.atomic
def demo_notices(estate: Estate) -> list[Notice]:
    users = get_user_model().objects
    staff = users.get(username="staff")
    published = []
    for building_number, category, title, body, days, pinned in NOTICES:
        building = (
            Building.objects.get(estate=estate, number=building_number) if building_number else None
        )
        notice = services.notice_create(
            actor=staff,
            estate=estate,
            building=building,
            category=category,
            title=title,
            body=body,
        )
        notice = services.notice_publish(actor=staff, notice=notice, days=days)
        if pinned:
            notice = services.notice_pin(actor=staff, notice=notice)
        published.append(notice)
    services.notice_read(actor=users.get(username="leader17"), notice=published[1])
    return published
