"""The demo street's foundation, 万里社区基金会, with its own fund on the ledger and donations
from organisations and people (some of whom agreed to have their names published), each with
its receipt. Everything goes through the services. Call with the demo street (万里街道) after
the funding demo and before the grants are disbursed (``demo_grants_disburse``), so the
foundation's fund holds the money its grants pay out.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from linju.community.models import Street
from linju.donations import services
from linju.donations.models import Donation, FoundationAccount

FOUNDATION_NAME = "万里社区基金会"
CREDIT_CODE = "53310107MJ0000000X"
Kind = Donation.DonorKind
PB = "美丽楼组 微更新"

# (days before today, donor, kind, amount, method, reference, purpose, name may be published)
DONATIONS = (
    (150, "万里街道商会", Kind.ORGANISATION, "60000.00", "bank", "WL-0601-001", PB, True),
    (120, "上海中浩物业有限公司", Kind.ORGANISATION, "20000.00", "bank", "WL-0702-014", "", True),
    (95, "上海云帆科技有限公司", Kind.ORGANISATION, "15000.00", "bank", "WL-0728-022", PB, False),
    (80, "陈建国", Kind.PERSON, "2000.00", "wechat", "4200001234202508110001", "", True),
    (64, "赵敏", Kind.PERSON, "10050.30", "bank", "WL-20250827-031", "楼道适老化改造", False),
    (40, "王丽娟", Kind.PERSON, "500.00", "wechat", "4200001234202509200007", "", False),
    (21, "刘春华", Kind.PERSON, "1000.50", "alipay", "2025100922001400", "", True),
    (7, "张秀梅", Kind.PERSON, "300.00", "cash", "", PB, False),
)  # fmt: skip


@transaction.atomic
def demo_donations(street: Street) -> FoundationAccount:
    """The foundation's account and its donations (once: a second call changes nothing)."""
    existing = FoundationAccount.objects.filter(street=street).first()
    if existing is not None:
        return existing
    officer = get_user_model().objects.get(username="foundation")
    account = services.foundation_account_create(
        actor=officer, street=street, name=FOUNDATION_NAME, credit_code=CREDIT_CODE
    )
    today = timezone.localdate()
    for days, donor, kind, amount, method, reference, purpose, publish in DONATIONS:
        services.donation_record(
            actor=officer,
            street=street,
            donor_name=donor,
            donor_kind=kind,
            amount=Decimal(amount),
            received_on=today - datetime.timedelta(days=days),
            method=method,
            reference=reference,
            purpose=purpose,
            publish_name=publish,
        )
    return account
