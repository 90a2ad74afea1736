"""Writes to the estate directory. Each service checks permission, validates, writes and audits
inside one transaction: a refused or invalid call writes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.community.models import (
    Building,
    Entrance,
    Estate,
    Flat,
    Occupancy,
    Person,
    Role,
    Street,
)
from linju.core import audit, permissions
from linju.core.phones import normalise_phone

FLAT_AREA_MIN = Decimal("5.00")
FLAT_AREA_MAX = Decimal("2000.00")


def _validate(instance: Any, *, exclude: list[str] | None = None) -> None:
    """Model validation, with constraint failures reported on the field people typed."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        errors = exc.message_dict
        if "__all__" in errors and "number" not in errors and hasattr(instance, "number"):
            errors["number"] = errors.pop("__all__")
        raise ValidationError(errors) from None


def _clean_phone(raw: str) -> str:
    if not raw:
        return ""
    phone = normalise_phone(raw)
    if phone is None:
        raise ValidationError(
            {"phone": _("Enter an 11-digit mainland mobile number, e.g. 138 0013 8000.")}
        )
    return phone


def _clean_area(raw: Any) -> Decimal:
    try:
        area = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"area": _("Enter the area as a number of square metres.")}) from None
    if not area.is_finite() or area != area.quantize(Decimal("0.01")):
        raise ValidationError({"area": _("Give the area with at most two decimal places.")})
    if not FLAT_AREA_MIN <= area <= FLAT_AREA_MAX:
        raise ValidationError(
            {
                "area": _("A flat's area must be between %(min)s and %(max)s m².")
                % {"min": FLAT_AREA_MIN, "max": FLAT_AREA_MAX}
            }
        )
    return area.quantize(Decimal("0.01"))  # "92.3" is stored, and audited, as 92.30


# --- Streets and estates ---------------------------------------------------------------------


@transaction.atomic
def street_create(
    *, actor: Any, name: str, slug: str, district: str = "", city: str = ""
) -> Street:
    """Create a street. Platform admins only."""
    permissions.require(actor, "create", model="street")
    street = Street(name=name.strip(), slug=slug.strip(), district=district.strip(), city=city)
    _validate(street)
    street.save()
    audit.record(actor=actor, action="street.create", target=street)
    return street


@transaction.atomic
def estate_create(
    *,
    actor: Any,
    street: Street,
    name: str,
    slug: str,
    address: str = "",
    built_year: int | None = None,
) -> Estate:
    """Create an estate in a street. Platform admins only."""
    permissions.require(actor, "create", model="estate")
    estate = Estate(
        street=street,
        name=name.strip(),
        slug=slug.strip(),
        address=address.strip(),
        built_year=built_year,
    )
    _validate(estate)
    estate.save()
    audit.record(actor=actor, action="estate.create", target=estate)
    return estate


@transaction.atomic
def staff_account_create(
    *,
    actor: Any,
    estate: Estate,
    username: str,
    password: str,
    display_name: str = "",
    phone: str = "",
) -> Any:
    """Create an account for a residents' committee staff member of ``estate``.

    A platform admin uses this for an estate's first staff account; staff add colleagues.
    """
    permissions.require(actor, "assign", Role(kind=Role.Kind.COMMITTEE_STAFF, estate=estate))
    user_model = get_user_model()
    phone = _clean_phone(phone)
    if user_model.objects.filter(username=username).exists():
        raise ValidationError({"username": _("This sign-in name is taken; choose another.")})
    if phone and user_model.objects.filter(phone=phone).exists():
        raise ValidationError({"phone": _("This phone number already has an account.")})
    user = user_model(username=username, display_name=display_name.strip(), phone=phone or None)
    from django.contrib.auth.password_validation import validate_password

    validate_password(password, user)
    user.set_password(password)
    _validate(user, exclude=["password"])
    user.save()
    role = Role.objects.create(
        user=user, kind=Role.Kind.COMMITTEE_STAFF, estate=estate, street=estate.street
    )
    audit.record(actor=actor, action="account.create", target=user, estate=estate)
    audit.record(actor=actor, action="role.assign", target=role)
    return user


# --- Buildings and flats ---------------------------------------------------------------------


def _building_sort_key(number: str) -> int:
    digits = "".join(ch for ch in number if ch.isdigit())
    return int(digits[:6]) if digits else 999_999


@transaction.atomic
def building_create(
    *,
    actor: Any,
    estate: Estate,
    number: str,
    name: str = "",
    floors: int | None = None,
    description: str = "",
) -> Building:
    """Add a building to an estate. Committee staff only."""
    permissions.require(actor, "create", Building(estate=estate))
    number = number.strip()
    building = Building(
        estate=estate,
        number=number,
        name=name.strip(),
        floors=floors,
        description=description.strip(),
        sort_key=_building_sort_key(number),
    )
    _validate(building)
    building.save()
    audit.record(actor=actor, action="building.create", target=building)
    return building


BUILDING_FIELDS = ("name", "floors", "description")


@transaction.atomic
def building_update(*, actor: Any, building: Building, **values: Any) -> Building:
    """Edit a building's name, floors or description. Its number is its identity."""
    permissions.require(actor, "change", building)
    building = Building.objects.select_for_update().get(pk=building.pk)
    values = {k: v for k, v in values.items() if k in BUILDING_FIELDS}
    diff = audit.changes(building, values)
    for name, value in values.items():
        setattr(building, name, value)
    _validate(building)
    building.save()
    if diff:
        audit.record(actor=actor, action="building.update", target=building, changes=diff)
    return building


def _entrance_for(building: Building, number: str) -> Entrance | None:
    number = (number or "").strip()
    if not number:
        return None
    entrance = Entrance.objects.filter(building=building, number=number).first()
    if entrance is None:
        entrance = Entrance(estate_id=building.estate_id, building=building, number=number)
        try:
            entrance.full_clean(exclude=["estate", "building"])
        except ValidationError as exc:
            raise ValidationError({"entrance": exc.messages}) from None
        entrance.save()
    return entrance


@transaction.atomic
def flat_create(
    *,
    actor: Any,
    building: Building,
    number: str,
    area: Any,
    entrance: str = "",
    floor: int | None = None,
    area_source: str = Flat.AreaSource.REGISTERED,
) -> Flat:
    """Add a flat to a building. Committee staff only."""
    permissions.require(actor, "create", Flat(estate_id=building.estate_id))
    flat = Flat(
        estate_id=building.estate_id,
        building=building,
        number=number.strip(),
        entrance=_entrance_for(building, entrance),
        floor=floor,
        area=_clean_area(area),
        area_source=area_source,
    )
    _validate(flat)
    try:
        with transaction.atomic():
            flat.save()
    except IntegrityError:
        raise ValidationError(
            {"number": _("This building already has a flat with that number.")}
        ) from None
    audit.record(actor=actor, action="flat.create", target=flat)
    return flat


FLAT_FIELDS = ("floor", "area", "area_source")


@transaction.atomic
def flat_update(*, actor: Any, flat: Flat, **values: Any) -> Flat:
    """Edit a flat's floor, area or area source; the audit log keeps old and new values."""
    permissions.require(actor, "change", flat)
    # of=("self",): PostgreSQL cannot lock the nullable side (entrance) of an outer join.
    flat = (
        Flat.objects.select_for_update(of=("self",))
        .select_related("building", "entrance")
        .get(pk=flat.pk)
    )
    values = {k: v for k, v in values.items() if k in FLAT_FIELDS}
    if "area" in values:
        values["area"] = _clean_area(values["area"])
    diff = audit.changes(flat, values)
    for name, value in values.items():
        setattr(flat, name, value)
    _validate(flat)
    flat.save()
    if diff:
        audit.record(actor=actor, action="flat.update", target=flat, changes=diff)
    return flat


# --- People, occupancies, roles --------------------------------------------------------------


@transaction.atomic
def person_create(
    *,
    actor: Any,
    estate: Estate,
    full_name: str,
    phone: str = "",
    note: str = "",
    is_minor: bool = False,
) -> Person:
    """Add a person to the estate's roster. Committee staff only."""
    permissions.require(actor, "create", Person(estate=estate))
    person = Person(
        estate=estate,
        full_name=full_name.strip(),
        phone=_clean_phone(phone),
        note=note.strip(),
        is_minor=bool(is_minor),
    )
    _validate(person)
    person.save()
    audit.record(actor=actor, action="person.create", target=person)
    return person


PERSON_FIELDS = ("full_name", "phone", "note", "is_minor")


@transaction.atomic
def person_update(*, actor: Any, person: Person, **values: Any) -> Person:
    """Edit a person's name, phone or note."""
    permissions.require(actor, "change", person)
    person = Person.objects.select_for_update().get(pk=person.pk)
    values = {k: v for k, v in values.items() if k in PERSON_FIELDS}
    if "phone" in values:
        values["phone"] = _clean_phone(values["phone"])
    if "full_name" in values:
        values["full_name"] = values["full_name"].strip()
    diff = audit.changes(person, values)
    for name, value in values.items():
        setattr(person, name, value)
    _validate(person)
    person.save()
    if diff:
        if "phone" in diff:  # never copy a phone number into the log
            diff["phone"] = ["***", "***"]
        audit.record(actor=actor, action="person.update", target=person, changes=diff)
    return person


@transaction.atomic
def occupancy_create(
    *,
    actor: Any,
    person: Person,
    flat: Flat,
    relation: str,
    starts_on: datetime.date | None = None,
) -> Occupancy:
    """Record that a person lives in or owns a flat, from a date."""
    permissions.require(actor, "create", Occupancy(estate_id=flat.estate_id))
    if person.estate_id != flat.estate_id:
        raise ValidationError(_("The person and the flat belong to different estates."))
    if Occupancy.objects.current().filter(person=person, flat=flat).exists():
        raise ValidationError(_("This person is already recorded at this flat."))
    occupancy = Occupancy(
        estate_id=flat.estate_id,
        person=person,
        flat=flat,
        relation=relation,
        starts_on=starts_on or timezone.localdate(),
    )
    _validate(occupancy)
    occupancy.save()
    audit.record(actor=actor, action="occupancy.create", target=occupancy)
    permissions.forget(person.user)
    return occupancy


@transaction.atomic
def occupancy_end(
    *, actor: Any, occupancy: Occupancy, ends_on: datetime.date | None = None
) -> Occupancy:
    """End an occupancy on a date (default today); its history is kept."""
    permissions.require(actor, "end", occupancy)
    occupancy = Occupancy.objects.select_for_update().get(pk=occupancy.pk)
    if occupancy.ends_on is not None:
        raise ValidationError(_("This occupancy has already ended."))
    ends_on = ends_on or timezone.localdate()
    if occupancy.starts_on and ends_on < occupancy.starts_on:
        raise ValidationError({"ends_on": _("The end date cannot be before the start date.")})
    diff = audit.changes(occupancy, {"ends_on": ends_on})
    occupancy.ends_on = ends_on
    occupancy.save(update_fields=["ends_on"])
    audit.record(actor=actor, action="occupancy.end", target=occupancy, changes=diff)
    return occupancy


@transaction.atomic
def role_assign(
    *,
    actor: Any,
    user: Any,
    kind: str,
    estate: Estate | None = None,
    building: Building | None = None,
    street: Street | None = None,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
) -> Role:
    """Give an account a role in a place. The place must match the role's scope."""
    scope = Role.SCOPE_OF.get(Role.Kind(kind)) if kind in Role.Kind.values else None
    if scope is None:
        raise ValidationError({"kind": _("Choose a role from the list.")})
    if scope == "building":
        if building is None:
            raise ValidationError({"building": _("A group leader needs a building.")})
        estate = building.estate
    if scope in ("building", "estate"):
        if estate is None:
            raise ValidationError({"estate": _("This role needs an estate.")})
        street = estate.street
    if scope == "street" and street is None:
        raise ValidationError({"street": _("This role needs a street.")})
    role = Role(
        user=user,
        kind=kind,
        estate=estate if scope in ("building", "estate") else None,
        building=building if scope == "building" else None,
        street=street if scope != "platform" else None,
        starts_on=starts_on or timezone.localdate(),
        ends_on=ends_on,
    )
    permissions.require(actor, "assign", role)
    already = Role.objects.current().filter(
        user=user, kind=role.kind, estate=role.estate, building=role.building, street=role.street
    )
    if already.exists():
        raise ValidationError({"kind": _("This account already holds this role here.")})
    if role.ends_on and role.ends_on < role.starts_on:
        raise ValidationError({"ends_on": _("The end date cannot be before the start date.")})
    _validate(role)
    role.save()
    audit.record(actor=actor, action="role.assign", target=role)
    permissions.forget(user)
    return role


@transaction.atomic
def role_end(*, actor: Any, role: Role, ends_on: datetime.date | None = None) -> Role:
    """End a role on a date (default today)."""
    permissions.require(actor, "end", role)
    role = Role.objects.select_for_update().get(pk=role.pk)
    if role.ends_on is not None and role.ends_on <= timezone.localdate():
        raise ValidationError(_("This role has already ended."))
    ends_on = ends_on or timezone.localdate()
    if ends_on < role.starts_on:
        raise ValidationError({"ends_on": _("The end date cannot be before the start date.")})
    diff = audit.changes(role, {"ends_on": ends_on})
    role.ends_on = ends_on
    role.save(update_fields=["ends_on"])
    audit.record(actor=actor, action="role.end", target=role, changes=diff)
    permissions.forget(role.user)
    return role


@transaction.atomic
def preferences_set(
    *, user: Any, large_text: bool | None = None, language: str | None = None
) -> Any:
    """Keep a signed-in person's large-text and language choices on their account."""
    fields = []
    if language is not None and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose Chinese or English.")})
    if large_text is not None:
        user.large_text = large_text
        fields.append("large_text")
    if language is not None:
        user.language = language
        fields.append("language")
    if fields:
        user.save(update_fields=fields)
    return user


@transaction.atomic
def estate_setup(
    *,
    actor: Any,
    street_name: str,
    street_slug: str,
    estate_name: str,
    estate_slug: str,
    staff_username: str,
    staff_password: str,
    staff_display_name: str = "",
    staff_phone: str = "",
) -> Estate:
    """Create an estate (in an existing or new street) and its first staff account.

    All or nothing: a refused password leaves no street, estate or account behind."""
    permissions.require(actor, "create", model="estate")
    street = Street.objects.filter(slug=street_slug.strip()).first()
    if street is None:
        street = street_create(actor=actor, name=street_name, slug=street_slug)
    elif street.name != street_name.strip():
        raise ValidationError(
            {
                "street_slug": _("The short name %(slug)s already belongs to %(name)s.")
                % {"slug": street.slug, "name": street.name}
            }
        )
    estate = estate_create(actor=actor, street=street, name=estate_name, slug=estate_slug)
    staff_account_create(
        actor=actor,
        estate=estate,
        username=staff_username,
        password=staff_password,
        display_name=staff_display_name,
        phone=staff_phone,
    )
    return estate
