"""What the API answers with. Areas are decimal strings; names of others are never included."""

from typing import Any

from ninja import Field, Schema


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


# --- Decisions ---------------------------------------------------------------------------------


class DecisionItemOut(Schema):
    id: int
    estate: str
    title: str
    kind: str  # owners, residents or election
    kind_label: str
    matter: int | None  # the item of Civil Code Art. 278 (1-9) for owners' votes
    matter_label: str | None
    status: str
    status_label: str
    opens_at: str | None
    closes_at: str | None
    buildings: list[str]  # building numbers in scope; empty: the whole estate
    can_vote: bool  # voting is open and the caller may cast (or still change) a ballot


class ParticipationOut(Schema):
    total_area: str
    total_heads: int
    voted_area: str
    voted_heads: int


class VoterEntryOut(Schema):
    """A roll entry the caller may vote for: their own, or an owner's as authorised agent."""

    ref: str  # the voter number, as on the roll and the bulletin board
    label: str  # the flats, e.g. "17-1-302"
    acting_for: bool  # voting as someone's authorised agent
    voted: bool
    receipt: str | None  # the receipt of the counted ballot


class OptionOut(Schema):
    key: str
    label: str


class DecisionOut(DecisionItemOut):
    body: str
    rules: dict[str, Any]  # frozen when announced: thresholds, counting rules, settings
    fingerprint: str  # SHA-256 of the roll frozen when voting opened
    roll_frozen_at: str | None
    participation: ParticipationOut | None  # while voting is open and until the count
    running_totals: dict[str, Any] | None  # only where the organiser opted in
    voter_entries: list[VoterEntryOut]
    options: list[OptionOut]
    result: dict[str, Any] | None  # once published
    cancel_reason: str


class BallotIn(Schema):
    entry: str | None = None  # a voter number; needed only when the caller has several
    choice: str = ""  # agree, disagree or abstain (owners' decisions)
    selections: list[str] = []  # option keys, in rank order for ranking votes


class BallotOut(Schema):
    receipt: str
    entry: str
    cast_at: str
    counted: bool
    superseded_reason: str  # why this ballot does not count, if it does not


class VoterFlatOut(Schema):
    flat: str
    area: str


class ResultsOut(Schema):
    id: int
    status: str
    published_at: str | None
    result: dict[str, Any]
    voter_flats: list[VoterFlatOut]  # only where the estate publishes them


class BoardQuery(Schema):
    receipt: str = ""  # a receipt code, or its beginning
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class BoardEntryOut(Schema):
    receipt: str
    channel: str
    channel_label: str
    cast_at: str
    counted: bool
    superseded_reason: str
    superseded_label: str
    choice: str | None  # once results are published
    selections: list[str] | None  # once results are published


class BoardOut(Schema):
    decision: int
    total: int
    choices_shown: bool
    entries: list[BoardEntryOut]
