"""The demo estate's first messages, so resident17's inbox shows what the platform sends.

Real notifications, through ``notify``: the demo has no text-message provider and no WeChat
app, so their pushes are recorded as skipped, with the reason.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from linju.community.models import Estate
from linju.notifications.models import Notification
from linju.notifications.services import notify

RESIDENT = "resident17"
BUILDING = "17"


def demo_notifications(estate: Estate) -> list[Notification]:
    """Three messages for resident17 of building 17: a welcome, the lobby meeting, the
    parking convention."""
    resident = get_user_model().objects.get(username=RESIDENT)
    building_url = f"/e/{estate.slug}/b/{BUILDING}/"
    return [
        notify(
            recipient=resident,
            kind="welcome.resident",
            estate=estate,
            title="欢迎来到邻聚",
            body=(
                f"这里是{estate.name}的邻里平台。您可以在“我的家”看到自己的房屋和家人，"
                "楼组的事情、居委会的通知也会发到这里。有不明白的地方，可以问楼组长或居委会。"
            ),
            url="/me/",
        ),
        notify(
            recipient=resident,
            kind="meeting.scheduled",
            estate=estate,
            title="17号楼门厅微更新：居民议事会",
            body=(
                "本周六上午9:30在17号楼门厅开议事会，一起商量门厅改造的方案和筹款办法"
                "（有钱筹钱、有物集物）。欢迎邻居们来听听、说说；来不了的，"
                "可以把意见告诉楼组长。"
            ),
            url=building_url,
        ),
        notify(
            recipient=resident,
            kind="notice.published",
            estate=estate,
            title="非机动车停放区使用公约（草案）征求意见",
            body=(
                "一楼新划出的非机动车停放区，使用公约草案已贴在17号楼公告栏。"
                "电动车请不要再推上楼。对草案有意见的，请在月底前告诉楼组长。"
            ),
            url=building_url,
        ),
    ]
