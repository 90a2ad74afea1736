"""Project pages: the estate home with every building's project status ("一楼一品"), and a
project page with 500 comments and 200 photos.

Each page is timed against a trivial Django view (same middleware, no template, no queries)
in the same run, and its query count is compared with a smaller case: the estate home of the
demo estate (21 buildings) with that of a 5-building estate, and the project page with 500
comments and 200 photos with one with 50 comments and 20 photos. A count that grows is an N+1.
"""

from __future__ import annotations

import io
import time

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from bench.pages import Result, _measure
from linju.community.demo import ESTATE_SLUG, demo_load
from linju.community.models import Building, Estate, Street
from linju.projects import services
from linju.projects.demo import demo_projects
from linju.projects.models import Project, ProjectPhoto

SMALL_SLUG = "bench-projects-small"


def run(*, runs: int) -> None:
    _prepare()
    estate = Estate.objects.get(slug=ESTATE_SLUG)
    small_estate = _small_estate()
    big = _project(estate, "15", "15号楼 楼道翻新（压测）", comments=500, photos=200)
    small = _project(estate, "16", "16号楼 楼道翻新（压测）", comments=50, photos=20)
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=hosts):
        anonymous, staff = Client(), Client()
        staff.force_login(get_user_model().objects.get(username="staff"))
        trivial = _measure(anonymous, reverse("bench_trivial"), runs)
        print(f"trivial view: {trivial.median_ms:.2f} ms median, {trivial.queries} queries")
        pages = {
            "estate home, 21 buildings (staff)": reverse("estate_home", args=[ESTATE_SLUG]),
            "estate home, 21 buildings (anonymous)": reverse("estate_home", args=[ESTATE_SLUG]),
            "estate home, 5 buildings (staff)": reverse("estate_home", args=[small_estate.slug]),
            "project page, 500 comments, 200 photos": big.get_absolute_url(),
            "project page, 50 comments, 20 photos": small.get_absolute_url(),
            "gallery page 2 (htmx), 200 photos": reverse(
                "project_photos", args=[ESTATE_SLUG, big.pk]
            )
            + f"?before={_nth_photo(big, 24)}",
        }
        results: dict[str, Result] = {}
        for label, url in pages.items():
            client = anonymous if "anonymous" in label else staff
            results[label] = result = _measure(client, url, runs)
            ratio = result.median_ms / trivial.median_ms
            print(
                f"{label}: {result.median_ms:.1f} ms median, {result.queries} queries, "
                f"{ratio:.1f}× trivial view"
            )
    _compare(results, "estate home, 21 buildings (staff)", "estate home, 5 buildings (staff)")
    _compare(
        results, "project page, 500 comments, 200 photos", "project page, 50 comments, 20 photos"
    )


def _compare(results: dict[str, Result], large: str, small: str) -> None:
    a, b = results[large].queries, results[small].queries
    verdict = "constant" if a == b else "GROWS"
    print(f"queries: {large}: {a} vs {small}: {b} — {verdict}")


def _prepare() -> None:
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    started = time.perf_counter()
    demo_load()
    demo_projects(Estate.objects.get(slug=ESTATE_SLUG))
    print(f"demo estate with its projects loaded in {time.perf_counter() - started:.1f} s")


def _small_estate() -> Estate:
    """5 buildings, 4 of them with a project (one finished)."""
    street = Street.objects.get(slug="wanli")
    estate, _created = Estate.objects.get_or_create(
        slug=SMALL_SLUG, defaults={"street": street, "name": "小样家园"}
    )
    staff = get_user_model().objects.get(username="staff")
    from linju.community.models import Role

    Role.objects.get_or_create(
        user=staff,
        kind=Role.Kind.COMMITTEE_STAFF,
        estate=estate,
        defaults={"street": street, "starts_on": "2024-01-01"},
    )
    from linju.core import permissions

    permissions.forget(staff)
    for n in range(1, 6):
        building, _created = Building.objects.get_or_create(
            estate=estate, number=str(n), defaults={"sort_key": n, "floors": 6}
        )
        if n < 5 and not Project.objects.filter(building=building).exists():
            project = services.project_create(
                actor=staff, estate=estate, building=building, title=f"{n}号楼 楼道"
            )
            if n == 1:
                Project.objects.filter(pk=project.pk).update(status="finished")
    return estate


def _picture() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 240), (160, 150, 130)).save(out, format="JPEG")
    return out.getvalue()


def _project(estate: Estate, number: str, title: str, *, comments: int, photos: int) -> Project:
    """A project with ``photos`` photos (one stored file shared by every row: the page never
    reads the files) and, where the ideas app keeps comments on projects, ``comments``."""
    staff = get_user_model().objects.get(username="staff")
    building = Building.objects.get(estate=estate, number=number)
    project = Project.objects.filter(building=building, title=title).first()
    if project is not None:
        return project
    project = services.project_create(actor=staff, estate=estate, building=building, title=title)
    name = default_storage.save("bench/project-photo.jpg", ContentFile(_picture()))
    ProjectPhoto.objects.bulk_create(
        ProjectPhoto(
            project=project,
            image=name,
            thumb=name,
            web=name,
            width=320,
            height=240,
            caption=f"照片 {i}",
            kind="general",
        )
        for i in range(photos)
    )
    if apps.is_installed("linju.ideas"):
        comment_model = apps.get_model("ideas", "Comment")
        users = list(get_user_model().objects.filter(username__startswith="leader")[:10])
        comment_model.objects.bulk_create(
            comment_model(
                estate=estate,
                building=building,
                project=project,
                author=users[i % len(users)],
                body=f"第{i}条意见：楼道灯能不能换成感应的？",
            )
            for i in range(comments)
        )
    else:
        print(f"(no comments app installed: {title} has no comments)")
    return project


def _nth_photo(project: Project, n: int) -> int:
    newest = ProjectPhoto.objects.filter(project=project).order_by("-pk")
    return newest.values_list("pk", flat=True)[n - 1]
