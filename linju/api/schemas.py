"""What the API answers with. Areas are decimal strings; names of others are never included."""

from ninja import Schema


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None


class EstateOut(Schema):
    slug: str
    name: str
    street: str
    buildings: int
    flats: int


class BuildingCardOut(Schema):
    number: str
    name: str
    flats: int
    households: int
    residents: int
    group_leaders: list[str]


class EstateOverviewOut(Schema):
    slug: str
    name: str
    street: str
    households: int
    residents: int
    buildings: list[BuildingCardOut]


class FlatOut(Schema):
    label: str
    entrance: str
    number: str
    floor: int | None
    area: str
    occupied: bool


class BuildingOut(Schema):
    estate: str
    number: str
    name: str
    description: str
    flats: int
    households: int
    residents: int
    total_area: str
    group_leaders: list[str]
    flat_list: list[FlatOut] | None


class HouseholdMemberOut(Schema):
    name: str
    relation: str


class HomeFlatOut(Schema):
    estate: str
    estate_name: str
    building: str
    label: str
    area: str
    relation: str
    since: str | None
    household: list[HouseholdMemberOut]


class RoleOut(Schema):
    kind: str
    label: str
    estate: str | None
    building: str | None


class HomeOut(Schema):
    display_name: str
    phone_masked: str
    flats: list[HomeFlatOut]
    roles: list[RoleOut]


class PasswordSignIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"  # noqa: S105 - the scheme's name, not a secret
    expires_in: int


class PhoneCodeRequestIn(Schema):
    phone: str


class PhoneCodeRequestOut(Schema):
    """The same answer whether or not the number has an account."""

    expires_in: int
    resend_after: int


class PhoneCodeSignIn(Schema):
    phone: str
    code: str


class WeChatCode(Schema):
    """The code from ``wx.login()`` in the mini-program (valid once, for 5 minutes)."""

    code: str


class WeChatBound(Schema):
    bound: bool


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    urgent: bool
    created_at: str
    read: bool


class InboxOut(Schema):
    unread: int
    notifications: list[NotificationOut]


class MarkedRead(Schema):
    marked: int


class JoinCodeIn(Schema):
    code: str


class JoinFlatOut(Schema):
    estate: str
    estate_name: str
    flat: str


class JoinRequestIn(Schema):
    code: str
    relation: str  # owner, co_owner, tenant or family
    full_name: str


class JoinRequestOut(Schema):
    id: int
    estate: str
    flat: str
    relation: str
    full_name: str
    status: str
    status_label: str
    reason: str
    created_at: str


class SignedOut(Schema):
    signed_out: bool
