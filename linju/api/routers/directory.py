from typing import Any

from django.http import HttpRequest
from ninja import Router

from linju.api.api import bearer, optional_bearer
from linju.api.schemas import (
    BuildingCardOut,
    BuildingOut,
    ErrorOut,
    EstateOut,
    EstateOverviewOut,
    FlatOut,
    HomeFlatOut,
    HomeOut,
    HouseholdMemberOut,
    RoleOut,
)
from linju.community import selectors
from linju.core.phones import mask_phone

router = Router()


def _estate(e: Any) -> EstateOut:  # annotated by selectors.estate_list
    return EstateOut(
        slug=e.slug,
        name=e.name,
        street=e.street.name,
        buildings=e.building_count,
        flats=e.flat_count,
    )


def _card(b: Any) -> BuildingCardOut:  # annotated by selectors.estate_overview
    return BuildingCardOut(
        number=b.number,
        name=b.name,
        flats=b.flat_count,
        households=b.household_count,
        residents=b.resident_count,
        group_leaders=b.leader_names,
    )


def _flat(f: Any, entrance: str) -> FlatOut:  # annotated by selectors.building_overview
    return FlatOut(
        label=f.label,
        entrance=entrance,
        number=f.number,
        floor=f.floor,
        area=str(f.area),
        occupied=bool(f.resident_count),
    )


@router.get("/estates", response=list[EstateOut], auth=None, summary="Estates of this site")
def estate_list(request: HttpRequest):
    return [_estate(e) for e in selectors.estate_list()]


@router.get(
    "/estates/{slug}",
    response={200: EstateOverviewOut, 404: ErrorOut},
    auth=None,
    summary="An estate's buildings, households and residents",
)
def estate_detail(request: HttpRequest, slug: str):
    estate = selectors.estate_get(slug=slug)
    overview = selectors.estate_overview(estate=estate)
    return EstateOverviewOut(
        slug=estate.slug,
        name=estate.name,
        street=estate.street.name,
        households=overview.households,
        residents=overview.residents,
        buildings=[_card(b) for b in overview.buildings],
    )


@router.get(
    "/estates/{slug}/buildings/{number}",
    response={200: BuildingOut, 401: ErrorOut, 404: ErrorOut},
    auth=optional_bearer,  # signed-in members of the estate also get the list of flats
    summary="A building: counts for everyone, flats for the estate's members",
)
def building_detail(request: HttpRequest, slug: str, number: str):
    estate = selectors.estate_get(slug=slug)
    building = selectors.building_get(estate=estate, number=number)
    overview = selectors.building_overview(actor=request.user, building=building)
    flats = None
    if overview.shows_flats:
        flats = [
            _flat(f, entrance)
            for entrance, entrance_flats in overview.entrances
            for f in entrance_flats
        ]
    return BuildingOut(
        estate=estate.slug,
        number=building.number,
        name=building.name,
        description=building.description,
        flats=overview.flat_count,
        households=overview.household_count,
        residents=overview.resident_count,
        total_area=str(overview.total_area),
        group_leaders=overview.leader_names,
        flat_list=flats,
    )


@router.get(
    "/me/home",
    response={200: HomeOut, 401: ErrorOut},
    auth=bearer,
    summary="My flats, my household and my roles",
)
def my_home(request: HttpRequest):
    home = selectors.my_home(user=request.user)
    user: Any = request.user  # signed in: TokenAuth put the account here
    return HomeOut(
        display_name=str(user),
        phone_masked=mask_phone(user.phone or ""),
        flats=[
            HomeFlatOut(
                estate=item.occupancy.flat.building.estate.slug,
                estate_name=item.occupancy.flat.building.estate.name,
                building=item.occupancy.flat.building.number,
                label=item.occupancy.flat.label,
                area=str(item.occupancy.flat.area),
                relation=item.occupancy.get_relation_display(),
                since=item.occupancy.starts_on.isoformat() if item.occupancy.starts_on else None,
                household=[
                    HouseholdMemberOut(name=o.person.full_name, relation=o.get_relation_display())
                    for o in item.household
                ],
            )
            for item in home.flats
        ],
        roles=[
            RoleOut(
                kind=r.kind,
                label=str(r),
                estate=r.estate.slug if r.estate else None,
                building=r.building.number if r.building else None,
            )
            for r in home.roles
        ],
    )
