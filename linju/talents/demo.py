"""Demo talents (社区达人): a calligrapher of building 17 credited on building 17's project for
writing its lobby convention, a photographer who took the before/after photos, a painter with a
gallery (each with consent), and a resident who made a profile without consenting, who must
appear nowhere. Run after the projects demo."""

from __future__ import annotations

import io
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from linju.community.models import Building, Estate, Occupancy, Person
from linju.talents.models import ProjectCredit, TalentProfile, TalentSkill, TalentWork

PEOPLE = [
    # (building, display name, skills, profile, consent)
    (
        "17",
        "17号楼 周老师",
        ["calligraphy"],
        "退休语文教师，习颜体四十余年。楼道公约、春联、门牌都可以帮大家写。",
        True,
    ),
    (
        "17",
        "17号楼 小林",
        ["photography"],
        "业余摄影爱好者，楼道改造前后的对比照片都是我拍的。邻居办活动需要拍照可以找我。",
        True,
    ),
    (
        "9",
        "9号楼 陈阿姨",
        ["painting", "childcare"],
        "喜欢画水彩，画过小区的四季。周末可以带小朋友画画。",
        True,
    ),
    ("12", "12号楼 老吴", ["repair"], "会修小家电和自行车。", False),
]
WORKS = [
    ((196, 160, 120), "《中浩云花园·秋》 水彩"),
    ((120, 170, 200), "《雨后的17号楼》 水彩"),
    ((150, 190, 130), "《小区花园》 水彩"),
]
PROJECT_CREDITS = {"17号楼 周老师": "书写楼道公约", "17号楼 小林": "拍摄改造前后对比照片"}


def _resident(estate: Estate, number: str, skip: set[int]) -> Person | None:
    for occupancy in (
        Occupancy.objects.current()
        .filter(flat__building__estate=estate, flat__building__number=number)
        .filter(person__is_minor=False)
        .exclude(person_id__in=skip)
        .exclude(person__user__username="resident17")
        .select_related("person__user")
        .order_by("flat__number", "pk")
    ):
        return occupancy.person
    return None


def _account(person: Person) -> Any:
    if person.user_id is not None:
        return person.user
    users = get_user_model().objects
    username = f"resident-{person.pk}"
    user = users.filter(username=username).first()
    if user is None:
        user = users.create(
            username=username, display_name=person.full_name, phone=person.phone or None
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Person.objects.filter(pk=person.pk).update(user=user)
    person.user = user
    return user


def _canvas(colour: tuple[int, int, int], name: str) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 600), colour)
    draw = ImageDraw.Draw(image)
    for i in range(0, 800, 40):
        shade = tuple(max(0, c - (i % 120)) for c in colour)
        draw.ellipse((i, 300 - i // 4, i + 160, 460 - i // 4), fill=shade)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@transaction.atomic
def demo_talents(estate: Estate) -> list[TalentProfile]:
    """Make the demo profiles of ``estate`` and credit building 17's project."""
    from linju.core.images import photo_store

    now = timezone.now()
    used: set[int] = set()
    profiles = []
    for number, name, skills, text, consent in PEOPLE:
        if not Building.objects.filter(estate=estate, number=number).exists():
            continue
        person = _resident(estate, number, used)
        if person is None:
            continue
        used.add(person.pk)
        profile = TalentProfile.objects.create(
            estate=estate,
            person=person,
            user=_account(person),
            display_name=name,
            profile=text,
            consent_shown_at=now if consent else None,
        )
        TalentSkill.objects.bulk_create(TalentSkill(profile=profile, skill=s) for s in skills)
        profiles.append(profile)
    painter = next(
        (p for p in profiles if "painting" in p.skills.values_list("skill", flat=True)), None
    )
    if painter is not None:
        for n, (colour, caption) in enumerate(WORKS):
            work = TalentWork(estate=estate, profile=painter, caption=caption)
            photo_store(work, _canvas(colour, f"work-{n}.jpg"))
    from linju.projects.models import Project

    projects = Project.objects.filter(estate=estate, building__number="17")
    project = (
        projects.filter(status=Project.Status.FINISHED).order_by("-created_at").first()
        or projects.order_by("-created_at").first()
    )
    if project is not None:
        for profile in profiles:
            role = PROJECT_CREDITS.get(profile.display_name)
            if role:
                ProjectCredit.objects.create(
                    estate=estate,
                    project=project,
                    profile=profile,
                    role=role,
                    invited_by=project.created_by,
                    accepted_at=now,
                )
    return profiles
