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


# --- notices: the disclosure board --------------------------------------------------------------


class NoticeQuery(Schema):
    estate: str  # the estate's short name
    building: str = ""  # a building's number: its notices and the whole estate's
    category: str = ""  # one of the six categories (meeting, hearings, consultation, …)
    archive: bool = False  # notices whose period has ended, instead of those on the board
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class NoticeItemOut(Schema):
    id: int
    estate: str
    building: str | None  # None: the whole estate
    category: str
    category_label: str
    title: str
    status: str  # published or withdrawn (drafts only for those who may post them)
    status_label: str
    pinned: bool
    published_at: str | None
    shown_until: str | None  # the last day on the board
    read_count: int
    attachment_count: int


class NoticeAttachmentOut(Schema):
    id: int
    name: str
    kind: str  # pdf, jpg, png or xlsx
    size: int
    url: str  # the file, for whoever may read the notice


class NoticeReaderOut(Schema):
    name: str
    flats: list[str]
    read_at: str


class NoticeOut(NoticeItemOut):
    body: str
    withdrawn_at: str | None
    withdraw_reason: str
    attachments: list[NoticeAttachmentOut]
    readers: list[NoticeReaderOut] | None  # only for those who may post the notice


# --- funding: funds, pledges, the public ledger ---------------------------------------------------
# Amounts are decimal strings in yuan with two decimals ("305.70"), never numbers.


class FundQuery(Schema):
    estate: str  # the estate's short name
    building: str = ""  # a building's number: its funds and the whole estate's


class FundFiguresOut(Schema):
    received: str  # money given, net of reversals
    matched: str  # the generated matching grant
    spent: str  # posted expenses, net of reversals
    balance: str  # received + matched - spent
    materials_received: str  # value of materials received
    materials_used: str
    materials: str  # value of materials held


class FundItemOut(Schema):
    id: int
    estate: str
    building: str | None  # None: the whole estate
    title: str
    status: str
    status_label: str
    currency: str
    target: str
    figures: FundFiguresOut


class MatchingOut(Schema):
    source: str  # who matches, e.g. the street
    ratio: str  # yuan added per yuan given
    cap: str
    after: str  # matching starts once residents have given this much


class LedgerHeadOut(Schema):
    count: int  # entries in the estate's chain
    hash: str  # SHA-256 of the last entry (64 zeros for none)


class FundOut(FundItemOut):
    purpose: str
    matching: MatchingOut | None
    leader_approval_over: str
    pledged_money: str  # money pledged and not withdrawn
    pledged_materials: int  # pledges of materials not withdrawn
    head: LedgerHeadOut  # the estate's chain head, as on the board and every report


class EntryQuery(Schema):
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class LedgerEntryOut(Schema):
    seq: int  # the entry's number in its estate's chain
    fund: int
    kind: str
    kind_label: str
    amount: str  # signed: in is positive, out negative
    method: str
    method_label: str
    reference: str  # transfer reference; "" for callers who are not members of the estate
    description: str
    donor: str | None  # as the donor agreed to be shown; None for callers who are not members
    reverses: int | None  # the number of the entry this one reverses
    reversed_by: int | None
    reason: str
    expense: int | None
    recorded_at: str
    prev_hash: str
    hash: str


class EntriesOut(Schema):
    fund: int
    total: int
    entries: list[LedgerEntryOut]


class PledgeIn(Schema):
    kind: str  # money or material
    amount: str | None = None  # money
    description: str = ""  # materials: what
    quantity: str | None = None
    unit: str = ""
    estimated_value: str | None = None
    shown_as: str = "flat"  # flat, name or anonymous


class PledgeOut(Schema):
    id: int
    fund: int
    kind: str
    amount: str | None
    description: str
    quantity: str | None
    unit: str
    estimated_value: str | None
    shown_as: str
    status: str
    created_at: str


class ContributionIn(Schema):
    amount: str
    method: str  # cash, bank, wechat or alipay
    reference: str = ""  # needed for a transfer, once per estate
    pledge: int | None = Field(None, ge=1, le=2**63 - 1)  # the pledge the money is for
    description: str = ""


class ExpenseIn(Schema):
    payee: str
    amount: str
    category: str  # materials, labour, design, equipment, events or other
    method: str = "bank"  # cash, bank, wechat or alipay
    note: str = ""
    overdraft_reason: str = ""


class ExpenseOut(Schema):
    id: int
    fund: int
    payee: str
    amount: str
    category: str
    method: str
    status: str  # waiting until approved by a second person (and the leader above the limit)
    needs_leader: bool
    recorded_at: str
