"""The demo estate: 中浩云花园 in 万里街道, Shanghai, as the customer story describes it.

21 buildings numbered up to 26, 1,790 flats, about 4,400 people, owners of every kind the
Civil Code counts (one person, co-owners with a named voter, one buyer with two flats, the
developer's unsold flats), tenants and family members, and a sign-in account for each role.
Everything comes from one fixed seed, so every load produces the same estate.

This is a loader, not a user-facing write: it fills the tables with ``bulk_create`` (about a
second for the whole estate on SQLite) and leaves one audit event behind.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from linju.budgeting.demo import demo_budgeting
from linju.community.models import (
    Building,
    Entrance,
    Estate,
    Flat,
    Occupancy,
    Owner,
    OwnerMember,
    Person,
    Role,
    Street,
)
from linju.consultations.demo import demo_consultations
from linju.consultations.demo_results import demo_consultation_results
from linju.conventions.demo import demo_conventions
from linju.core import audit
from linju.decisions.demo import demo_decisions
from linju.donations.demo import demo_donations
from linju.foundation.demo import demo_foundation
from linju.funding.demo import demo_funding
from linju.grants.demo import demo_grants, demo_grants_disburse
from linju.ideas.demo import demo_ideas
from linju.meetings.demo import demo_meetings
from linju.notices.demo import demo_notices
from linju.notifications.demo import demo_notifications
from linju.opinions.demo import demo_opinions
from linju.projects.demo import demo_projects
from linju.spaces.demo import demo_spaces
from linju.talents.demo import demo_talents
from linju.works.demo import demo_works

SEED = 2009
DEMO_PASSWORD = "linju-demo-2026"  # noqa: S105 - published; demo accounts only
ESTATE_SLUG = "zhonghao"
DEVELOPER_NAME = "上海中浩房地产开发有限公司"

# 1749 is reserved for satellite service and holds no ground mobile subscriber: libphonenumber,
# which tracks allocated ranges, calls every number in it invalid, yet it
# passes our mainland-mobile shape check. Never send messages to demo numbers.
PHONE_PREFIX = "1749"

# Dates stay fixed (not "today") so that every load is identical.
DELIVERY = datetime.date(2009, 10, 1)
LAST_MOVE = datetime.date(2026, 6, 30)
LEADERS_FROM = datetime.date(2023, 3, 1)


@dataclass(frozen=True)
class BuildingPlan:
    number: str
    entrances: int
    first_floor: int  # some ground floors are lobbies and bicycle rooms, not flats
    top_floor: int
    per_floor: int  # flats per floor in each entrance

    @property
    def flat_count(self) -> int:
        return self.entrances * (self.top_floor - self.first_floor + 1) * self.per_floor


BUILDINGS = (
    BuildingPlan("1", 2, 2, 11, 2),
    BuildingPlan("2", 2, 1, 11, 2),
    BuildingPlan("3", 1, 1, 18, 4),
    BuildingPlan("5", 1, 1, 18, 4),
    BuildingPlan("6", 2, 1, 18, 2),
    BuildingPlan("7", 1, 1, 26, 4),
    BuildingPlan("8", 1, 1, 26, 4),
    BuildingPlan("9", 2, 1, 16, 3),
    BuildingPlan("10", 1, 1, 30, 3),
    BuildingPlan("11", 1, 1, 30, 3),
    BuildingPlan("12", 2, 1, 11, 3),
    BuildingPlan("15", 1, 1, 24, 4),
    BuildingPlan("16", 1, 1, 24, 4),
    BuildingPlan("17", 2, 1, 18, 2),
    BuildingPlan("18", 1, 1, 32, 3),
    BuildingPlan("19", 1, 1, 28, 3),
    BuildingPlan("20", 2, 1, 16, 3),
    BuildingPlan("22", 1, 1, 18, 4),
    BuildingPlan("23", 2, 1, 11, 4),
    BuildingPlan("25", 1, 1, 33, 4),
    BuildingPlan("26", 2, 1, 18, 3),
)

AREA_MIN, AREA_MAX = Decimal("60.00"), Decimal("140.00")
DEVELOPER_FLATS = 12
TWO_FLAT_OWNERS = 40
JOINT_FLATS = 220
RENTED_FLATS = 110  # owner lives outside the estate


def _weights(text: str) -> dict[str, int]:
    return {entry[0]: int(entry[1:]) for entry in text.split()}


# Surnames with rough relative frequencies (national order, with Shanghai's 徐陆顾沈钱 raised).
SURNAMES = _weights(
    "王71 李70 张68 刘53 陈50 杨31 黄24 赵20 吴22 周20 "
    "徐22 孙15 马13 朱16 胡13 郭11 何12 林11 高11 罗10 郑10 梁9 "
    "谢9 宋8 唐8 许8 韩7 冯7 邓7 曹7 彭6 曾6 肖6 田5 "
    "董6 袁5 潘5 蒋6 蔡5 余5 杜5 叶6 程5 苏5 魏5 吕4 "
    "丁5 任4 沈8 姚5 卢4 姜4 陆9 顾8 钱5 金5 汪4 范4 "
    "方4 戴4 施4 秦3 倪3 龚3 严3 邵3"
)
GIVEN_NAMES = {
    ("elder", "m"): "建国 国强 志明 国华 德明 建华 永康 伟民 金根 福生 海林 家骏 根宝 荣发 "
    "国庆 振华 培德 长林 如松 耀祖",
    ("elder", "f"): "秀英 桂兰 玉珍 美华 凤英 丽华 秀珍 惠芳 月娥 金妹 雅琴 素芬 翠芳 兰英 "
    "佩琴 宝娣 彩凤 静娴 爱珍 小妹",
    ("middle", "m"): "伟 军 勇 磊 斌 涛 杰 峰 俊 强 刚 明 超 晓东 志刚 海涛 建平 文彬 立新 "
    "振宇 晨 健 宏伟 俊峰 卫东 春华 永明 浩 毅 鹏",
    ("middle", "f"): "丽 敏 静 燕 艳 娟 霞 婷 玲 芳 洁 琳 晓燕 海燕 丽娟 雪梅 佳 蕾 颖 倩 "
    "慧敏 晓红 春燕 文静 雅婷 秀梅 亚楠 婧 晶 莉",
    ("young", "m"): "子轩 浩然 宇轩 梓豪 一鸣 俊杰 嘉懿 睿 子墨 皓轩 宸 铭泽 天佑 博文 "
    "思远 奕辰 逸飞 承泽 景行 书恒",
    ("young", "f"): "欣怡 子涵 梓涵 诗涵 雨桐 可馨 一诺 思彤 语嫣 佳怡 若曦 梦琪 依诺 "
    "心怡 欣妍 雨萱 沐晴 安然 语桐 芷若",
}
# Share of each generation that has a phone number on the roster.
PHONE_SHARE = {"elder": 0.75, "middle": 0.95, "young": 0.3}

# (username, display name, role, 中文, English); residents and leaders are picked per building.
STAFF_ACCOUNTS = (
    ("staff", "苏华军", Role.Kind.COMMITTEE_STAFF, "居委会书记", "residents' committee secretary"),
    ("owners", "", Role.Kind.OWNERS_COMMITTEE, "业委会委员", "owners' committee member"),
    ("property", "何志明", Role.Kind.PROPERTY_STAFF, "物业公司客服", "property company staff"),
    (
        "foundation",
        "林慧敏",
        Role.Kind.FOUNDATION_OFFICER,
        "万里社区基金会项目官员",
        "community foundation officer",
    ),
    ("admin", "陈立新", Role.Kind.PLATFORM_ADMIN, "平台管理员", "platform admin"),
)
ROLE_FROM = {
    Role.Kind.COMMITTEE_STAFF: datetime.date(2021, 1, 1),
    Role.Kind.OWNERS_COMMITTEE: datetime.date(2024, 6, 1),
    Role.Kind.PROPERTY_STAFF: datetime.date(2022, 1, 1),
    Role.Kind.FOUNDATION_OFFICER: datetime.date(2022, 5, 1),
    Role.Kind.PLATFORM_ADMIN: datetime.date(2024, 1, 1),
}
OWNERS_MEMBER_BUILDING = "8"


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


@dataclass
class DemoSummary:
    created: bool
    buildings: int
    flats: int
    people: int
    accounts: list[tuple[str, str]]


def _demo_projects(estate: Estate) -> None:
    """The building groups' projects and everything around them, in the order they need."""
    demo_projects(estate)  # after the funds: building 17's project keeps its fund
    demo_ideas(estate)
    demo_conventions(estate)
    demo_spaces(estate)  # the parking area's rules are a convention
    demo_meetings(estate)  # building 2's meeting books the lobby living room
    demo_works(estate)
    demo_talents(estate)


def _demo_consultations(estate: Estate) -> None:
    """Building 25's survey and its published results; the parking area's opinion map."""
    demo_consultations(estate)
    demo_consultation_results(estate)
    demo_opinions(estate)


def _demo_foundation(estate: Estate) -> None:
    """The street foundation's money, its 2025 programme, the review, the residents'
    participatory-budgeting vote, and the grants paid into the winning buildings' funds."""
    demo_donations(estate.street)
    demo_foundation(estate)
    demo_grants(estate)
    demo_budgeting(estate)
    demo_grants_disburse(estate)


def demo_accounts() -> list[tuple[str, str]]:
    """(username, who they are) for every demo account, all with ``DEMO_PASSWORD``."""
    accounts = [("resident17", "17号楼业主、居民 / resident and owner, building 17")]
    accounts += [
        (f"leader{b.number}", f"{b.number}号楼楼组长 / building-group leader, building {b.number}")
        for b in BUILDINGS
    ]
    accounts += [(username, f"{zh} / {en}") for username, _, _, zh, en in STAFF_ACCOUNTS]
    accounts.append(
        ("designer25", "25号楼大堂改造设计师 / designer of building 25's lobby project")
    )
    return accounts


def demo_load(*, stdout: Writer | None = None) -> DemoSummary:
    """Create the demo estate, its people and accounts; do nothing if it already exists."""
    estate = Estate.objects.filter(slug=ESTATE_SLUG).first()
    if estate is not None:
        _say(stdout, f"演示小区已存在 / Demo estate already loaded: {estate.name}")
        return _summary(estate, created=False)
    started = time.perf_counter()
    with transaction.atomic():
        estate = _load()
    seconds = time.perf_counter() - started
    _say(stdout, f"已加载 / Loaded {estate.name} in {seconds:.1f} s")
    return _summary(estate, created=True)


def _say(stdout: Writer | None, line: str) -> None:
    if stdout is not None:
        stdout.write(line + "\n")


def _summary(estate: Estate, *, created: bool) -> DemoSummary:
    return DemoSummary(
        created=created,
        buildings=Building.objects.filter(estate=estate).count(),
        flats=Flat.objects.filter(estate=estate).count(),
        people=Person.objects.filter(estate=estate).count(),
        accounts=demo_accounts(),
    )


def _load() -> Estate:
    street, _created = Street.objects.get_or_create(
        slug="wanli", defaults={"name": "万里街道", "district": "普陀区", "city": "上海"}
    )
    estate = Estate.objects.create(
        street=street,
        slug=ESTATE_SLUG,
        name="中浩云花园",
        built_year=2009,
        address="上海市普陀区万里街道",
        description="高层住宅小区，2009年建成，21栋楼，1790户，约4400位居民。",
    )
    plan = EstatePlan(estate, random.Random(SEED))
    plan.generate()
    plan.save()
    if connection.vendor == "postgresql":
        # Thousands of rows were just written in this transaction, before autovacuum could
        # look at them: give the planner statistics for the steps that follow.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    demo_notifications(estate)
    demo_decisions(estate)
    demo_notices(estate)
    demo_funding(estate)
    _demo_projects(estate)
    _demo_consultations(estate)
    _demo_foundation(estate)
    audit.record(
        actor=None,
        action="demo.load",
        target=estate,
        changes={"flats": len(plan.flats), "people": len(plan.people)},
    )
    return estate


@dataclass
class Household:
    """The people tied to one flat, before they are saved."""

    flat: Flat
    ties: list[tuple[Person, str, datetime.date]] = field(default_factory=list)


class EstatePlan:
    """Builds the estate as unsaved model instances, then saves them in dependency order."""

    def __init__(self, estate: Estate, rng: random.Random) -> None:
        self.estate = estate
        self.rng = rng
        self.buildings: list[Building] = []
        self.entrances: list[Entrance] = []
        self.flats: list[Flat] = []
        self.people: list[Person] = []
        self.owners: list[Owner] = []
        self.members: list[tuple[Owner, Person]] = []
        self.households: dict[int, Household] = {}
        self.residents_by_building: dict[str, list[Person]] = {}
        self.users: list[Any] = []
        self.roles: list[Role] = []
        self._phones: set[str] = set()
        self._traits: dict[int, tuple[str, str]] = {}  # id(person) → (generation, sex)
        self._surnames = list(SURNAMES)
        self._surname_weights = list(SURNAMES.values())

    # --- Generation ---------------------------------------------------------------------------

    def generate(self) -> None:
        for building_plan in BUILDINGS:
            self._add_building(building_plan)
        self._add_owners_and_households()
        self._add_accounts()

    def _add_building(self, bp: BuildingPlan) -> None:
        building = Building(
            estate=self.estate, number=bp.number, sort_key=int(bp.number), floors=bp.top_floor
        )
        self.buildings.append(building)
        for entrance_no in range(1, bp.entrances + 1):
            entrance = Entrance(estate=self.estate, building=building, number=str(entrance_no))
            self.entrances.append(entrance)
            stack_areas = [self._stack_area(pos, bp.per_floor) for pos in range(bp.per_floor)]
            for floor in range(bp.first_floor, bp.top_floor + 1):
                for pos, area in enumerate(stack_areas, start=1):
                    self.flats.append(self._flat(building, entrance, floor, pos, area))

    def _stack_area(self, pos: int, per_floor: int) -> Decimal:
        """Flats stacked above each other share a layout; end flats are the larger ones."""
        is_end = pos in (0, per_floor - 1)
        if per_floor == 2:
            low, high = 86.0, 138.0
        elif is_end:
            low, high = 98.0, 139.0
        else:
            low, high = 61.0, 92.0
        return Decimal(f"{self.rng.uniform(low, high):.2f}")

    def _flat(
        self, building: Building, entrance: Entrance, floor: int, pos: int, area: Decimal
    ) -> Flat:
        source = self.rng.choices(
            [Flat.AreaSource.REGISTERED, Flat.AreaSource.SURVEYED, Flat.AreaSource.CONTRACT],
            weights=[96, 2, 2],
        )[0]
        if source != Flat.AreaSource.REGISTERED:
            # A survey or a sale contract rarely agrees with the certificate to the centimetre.
            area += Decimal(f"{self.rng.uniform(-1.5, 1.5):.2f}")
            area = min(max(area, AREA_MIN), AREA_MAX)
        return Flat(
            estate=self.estate,
            building=building,
            entrance=entrance,
            floor=floor,
            number=f"{floor}{pos:02d}",
            area=area,
            area_source=source,
        )

    def _add_owners_and_households(self) -> None:
        flats = list(self.flats)
        self.rng.shuffle(flats)
        developer_flats = flats[:DEVELOPER_FLATS]
        rest = flats[DEVELOPER_FLATS:]
        pairs = [(rest[2 * i], rest[2 * i + 1]) for i in range(TWO_FLAT_OWNERS)]
        rest = rest[2 * TWO_FLAT_OWNERS :]
        joint, rented, single = (
            rest[:JOINT_FLATS],
            rest[JOINT_FLATS : JOINT_FLATS + RENTED_FLATS],
            rest[JOINT_FLATS + RENTED_FLATS :],
        )
        self._developer(developer_flats)
        for home, second in pairs:
            self._two_flat_owner(home, second)
        for flat in joint:
            self._joint_owners(flat)
        for flat in rented:
            self._outside_owner(flat)
        for flat in single:
            self._resident_owner(flat)

    def _developer(self, flats: Iterable[Flat]) -> None:
        owner = Owner(estate=self.estate, kind=Owner.Kind.DEVELOPER, name=DEVELOPER_NAME)
        self.owners.append(owner)
        for flat in flats:
            # Unsold flats never had a certificate or a sale contract; only a survey.
            flat.area_source = Flat.AreaSource.SURVEYED
            flat.owner = owner

    def _resident_owner(self, flat: Flat) -> Person:
        moved_in = self._purchase_date()
        head, family = self._family()
        self._own(flat, [head])
        self._tie(flat, head, Occupancy.Relation.OWNER, moved_in)
        self._tie_family(flat, family, moved_in)
        self._mark_resident(flat, head)
        return head

    def _joint_owners(self, flat: Flat) -> None:
        moved_in = self._purchase_date()
        head, family = self._family(at_least=2)
        partner = family.pop(0)
        owner = self._own(flat, [head, partner], kind=Owner.Kind.JOINT)
        owner.voter = self.rng.choice([head, partner])
        for person in (head, partner):
            self._tie(flat, person, Occupancy.Relation.CO_OWNER, moved_in)
            self._mark_resident(flat, person)
        self._tie_family(flat, family, moved_in)

    def _two_flat_owner(self, home: Flat, second: Flat) -> None:
        head = self._resident_owner(home)
        owner = home.owner
        assert owner is not None
        second.owner = owner
        bought = self._date_between(datetime.date(2012, 1, 1), datetime.date(2024, 12, 31))
        self._tie(second, head, Occupancy.Relation.OWNER, bought)
        use = self.rng.choices(["tenants", "parents", "empty"], weights=[5, 3, 2])[0]
        if use == "tenants":
            self._tenants(second, after=bought)
        elif use == "parents":
            surname = head.full_name[0]
            for sex in self.rng.sample(["m", "f"], self.rng.choice([1, 2])):
                parent = self._person("elder", sex, surname if sex == "m" else None)
                self._tie(second, parent, Occupancy.Relation.FAMILY, bought)
                self._mark_resident(second, parent)

    def _outside_owner(self, flat: Flat) -> None:
        bought = self._purchase_date()
        owner_person = self._person(self._adult_generation(), self._sex())
        owner_person.note = "业主，不在本小区居住"
        self._own(flat, [owner_person])
        self._tie(flat, owner_person, Occupancy.Relation.OWNER, bought)
        self._tenants(flat, after=bought)

    def _tenants(self, flat: Flat, *, after: datetime.date) -> None:
        start = self._date_between(max(after, datetime.date(2019, 1, 1)), LAST_MOVE)
        size = self.rng.choices([1, 2, 3, 4], weights=[35, 35, 24, 6])[0]
        head = self._person("middle", self._sex())
        tenants = [head, self._partner_of(head)] if size >= 2 else [head]
        surname = self._father_surname(tenants)
        tenants += [self._person("young", self._sex(), surname) for _ in range(size - 2)]
        for person in tenants:
            self._tie(flat, person, Occupancy.Relation.TENANT, start)
            self._mark_resident(flat, person)

    def _family(self, *, at_least: int = 1) -> tuple[Person, list[Person]]:
        """A household head and the others who live with them (partner first)."""
        size = self.rng.choices([1, 2, 3, 4, 5, 6], weights=[20, 38, 28, 9, 4, 1])[0]
        generation = self._adult_generation()
        head = self._person(generation, self._sex())
        family = [self._partner_of(head)] if max(size, at_least) >= 2 else []
        surname = self._father_surname([head, *family])
        for _ in range(size - 2):
            if generation == "middle" and self.rng.random() < 0.2:
                family.append(self._person("elder", self._sex(), surname))  # a grandparent
            else:
                children = "middle" if generation == "elder" else "young"
                family.append(self._person(children, self._sex(), surname))
        return head, family

    def _tie_family(self, flat: Flat, family: list[Person], moved_in: datetime.date) -> None:
        for person in family:
            start = moved_in
            if self.rng.random() < 0.3:  # born or moved in later
                start = self._date_between(moved_in, LAST_MOVE)
            self._tie(flat, person, Occupancy.Relation.FAMILY, start)
            self._mark_resident(flat, person)

    def _own(self, flat: Flat, people: list[Person], kind: str = Owner.Kind.PERSON) -> Owner:
        owner = Owner(estate=self.estate, kind=kind, name="、".join(p.full_name for p in people))
        self.owners.append(owner)
        self.members += [(owner, person) for person in people]
        flat.owner = owner
        return owner

    def _tie(self, flat: Flat, person: Person, relation: str, starts_on: datetime.date) -> None:
        household = self.households.setdefault(id(flat), Household(flat))
        household.ties.append((person, relation, starts_on))

    def _mark_resident(self, flat: Flat, person: Person) -> None:
        if person.phone and self._traits[id(person)][0] != "young":
            self.residents_by_building.setdefault(flat.building.number, []).append(person)

    # --- People -------------------------------------------------------------------------------

    def _person(self, generation: str, sex: str, surname: str | None = None) -> Person:
        surname = surname or self.rng.choices(self._surnames, self._surname_weights)[0]
        given = self.rng.choice(GIVEN_NAMES[(generation, sex)].split())
        phone = self._phone() if self.rng.random() < PHONE_SHARE[generation] else ""
        person = Person(estate=self.estate, full_name=surname + given, phone=phone)
        self._traits[id(person)] = (generation, sex)
        self.people.append(person)
        return person

    def _partner_of(self, person: Person) -> Person:
        generation, sex = self._traits[id(person)]
        return self._person(generation, "f" if sex == "m" else "m")

    def _father_surname(self, parents: list[Person]) -> str:
        """Children mostly take their father's surname."""
        fathers = [p for p in parents if self._traits[id(p)][1] == "m"]
        return (fathers or parents)[0].full_name[0]

    def _phone(self) -> str:
        while True:
            phone = f"+86{PHONE_PREFIX}{self.rng.randrange(10**7):07d}"
            if phone not in self._phones:
                self._phones.add(phone)
                return phone

    def _sex(self) -> str:
        return self.rng.choice("mf")

    def _adult_generation(self) -> str:
        return self.rng.choices(["elder", "middle"], weights=[35, 65])[0]

    def _purchase_date(self) -> datetime.date:
        if self.rng.random() < 0.6:  # first buyers moved in within two years of delivery
            return self._date_between(DELIVERY, datetime.date(2011, 12, 31))
        return self._date_between(datetime.date(2012, 1, 1), LAST_MOVE)

    def _date_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        return start + datetime.timedelta(days=self.rng.randrange((end - start).days + 1))

    # --- Accounts -----------------------------------------------------------------------------

    def _add_accounts(self) -> None:
        password = make_password(DEMO_PASSWORD)  # hashed once: hashing is slow on purpose
        taken: set[int] = set()
        resident = self._pick_resident("17", taken, owner=True)
        self._account("resident17", password, person=resident)
        for building in self.buildings:
            leader = self._pick_resident(building.number, taken)
            user = self._account(f"leader{building.number}", password, person=leader)
            self._role(user, Role.Kind.GROUP_LEADER, building=building, starts_on=LEADERS_FROM)
        for username, display_name, kind, _zh, _en in STAFF_ACCOUNTS:
            person = None
            if kind == Role.Kind.OWNERS_COMMITTEE:
                person = self._pick_resident(OWNERS_MEMBER_BUILDING, taken, owner=True)
            user = self._account(username, password, person=person, display_name=display_name)
            self._role(user, kind, starts_on=ROLE_FROM[kind])

    def _pick_resident(self, building: str, taken: set[int], *, owner: bool = False) -> Person:
        owner_ids = {id(person) for _, person in self.members} if owner else None
        candidates = [
            p
            for p in self.residents_by_building[building]
            if id(p) not in taken and (owner_ids is None or id(p) in owner_ids)
        ]
        person = self.rng.choice(candidates)
        taken.add(id(person))
        return person

    def _account(
        self, username: str, password: str, *, person: Person | None, display_name: str = ""
    ) -> Any:
        user = get_user_model()(
            username=username,
            password=password,
            display_name=display_name or (person.full_name if person else username),
            phone=person.phone if person else self._phone(),
        )
        self.users.append(user)
        if person is not None:
            person.user = user
        return user

    def _role(
        self, user: Any, kind: str, *, starts_on: datetime.date, building: Building | None = None
    ) -> None:
        scope = Role.SCOPE_OF[Role.Kind(kind)]
        street = self.estate.street
        self.roles.append(
            Role(
                user=user,
                kind=kind,
                starts_on=starts_on,
                building=building,
                estate=self.estate if scope in ("building", "estate") else None,
                street=street if scope != "platform" else None,
            )
        )

    # --- Saving -------------------------------------------------------------------------------

    def save(self) -> None:
        Building.objects.bulk_create(self.buildings)
        Entrance.objects.bulk_create(self.entrances)
        get_user_model().objects.bulk_create(self.users)
        Person.objects.bulk_create(self.people)
        Owner.objects.bulk_create(self.owners)
        OwnerMember.objects.bulk_create(
            OwnerMember(estate_id=owner.estate_id, owner_id=owner.pk, person_id=person.pk)
            for owner, person in self.members
        )
        Flat.objects.bulk_create(self.flats)
        Occupancy.objects.bulk_create(self._occupancies())
        Role.objects.bulk_create(self.roles)

    def _occupancies(self) -> Iterable[Occupancy]:
        for household in self.households.values():
            for person, relation, starts_on in household.ties:
                yield Occupancy(
                    estate=self.estate,
                    person=person,
                    flat=household.flat,
                    relation=relation,
                    starts_on=starts_on,
                )
