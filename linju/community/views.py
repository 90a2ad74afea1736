from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linju.community import selectors, services
from linju.community.forms import (
    BuildingForm,
    EndDateForm,
    EstateSetupForm,
    FlatCreateForm,
    FlatForm,
    OccupancyForm,
    PersonForm,
    RoleAssignForm,
)
from linju.community.models import Estate, Occupancy, Role
from linju.core import permissions
from linju.core.http import form_errors, is_htmx, posted
from linju.core.phones import national


def _form_page(request: HttpRequest, estate: Estate, form, title: str) -> HttpResponse:
    """A console form on its own page; 422 when it comes back with errors."""
    status = 422 if request.method == "POST" else 200
    context = {"estate": estate, "form": form, "title": title}
    return render(request, "community/console/form.html", context, status=status)


def _console_estate(request: HttpRequest, slug: str, action: str = "manage") -> Estate:
    """The estate whose console this is; foreign estates are 404, the same as missing ones."""
    estate = selectors.estate_get(slug=slug)
    if not permissions.can(request.user, action, estate):
        raise Http404
    return estate


# --- Public pages ----------------------------------------------------------------------------


def home_view(request: HttpRequest) -> HttpResponse:
    estates = list(selectors.estate_list())
    if len(estates) == 1:
        return estate_home_view(request, estates[0].slug)
    return render(request, "community/home.html", {"estates": estates})


def estate_home_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = selectors.estate_get(slug=slug)
    overview = selectors.estate_overview(estate=estate)
    return render(request, "community/estate_home.html", {"estate": estate, "overview": overview})


def building_detail_view(request: HttpRequest, slug: str, number: str) -> HttpResponse:
    estate = selectors.estate_get(slug=slug)
    building = selectors.building_get(estate=estate, number=number)
    overview = selectors.building_overview(actor=request.user, building=building)
    return render(
        request,
        "community/building_detail.html",
        {"estate": estate, "building": building, "overview": overview},
    )


@login_required
def my_home_view(request: HttpRequest) -> HttpResponse:
    return render(request, "community/my_home.html", {"home": selectors.my_home(user=request.user)})


# --- Staff console ---------------------------------------------------------------------------


@login_required
def console_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _console_estate(request, slug, "view_directory")
    overview = selectors.estate_overview(estate=estate, full_names=True)
    totals = selectors.estate_totals(estate=estate)
    return render(
        request,
        "community/console/index.html",
        {"estate": estate, "overview": overview, "totals": totals},
    )


@login_required
def console_building_create_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _console_estate(request, slug)
    form = BuildingForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            building = services.building_create(
                actor=request.user,
                estate=estate,
                number=form.cleaned_data["number"],
                name=form.cleaned_data["name"],
                floors=form.cleaned_data["floors"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Building %(b)s added.") % {"b": building.number})
            return redirect("console", slug=estate.slug)
    return _form_page(request, estate, form, _("Add a building"))


@login_required
def console_building_edit_view(request: HttpRequest, slug: str, number: str) -> HttpResponse:
    estate = _console_estate(request, slug)
    building = selectors.building_get(estate=estate, number=number)
    initial = {
        "number": building.number,
        "name": building.name,
        "floors": building.floors,
        "description": building.description,
    }
    form = BuildingForm(posted(request), initial=initial)
    form.fields["number"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.building_update(
                actor=request.user,
                building=building,
                name=form.cleaned_data["name"],
                floors=form.cleaned_data["floors"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("console", slug=estate.slug)
    return _form_page(request, estate, form, _("Edit %(b)s") % {"b": building})


@login_required
def console_flats_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _console_estate(request, slug, "view_directory")
    page = selectors.flat_search(
        actor=request.user,
        estate=estate,
        query=request.GET.get("q", ""),
        building=request.GET.get("building", ""),
        page=request.GET.get("page"),
    )
    template = (
        "community/console/_flat_rows.html" if is_htmx(request) else "community/console/flats.html"
    )
    return render(
        request,
        template,
        {
            "estate": estate,
            "page": page,
            "buildings": estate.buildings.all(),
            "q": request.GET.get("q", ""),
            "building": request.GET.get("building", ""),
        },
    )


@login_required
def console_flat_create_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _console_estate(request, slug)
    form = FlatCreateForm(posted(request), estate=estate)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            flat = services.flat_create(
                actor=request.user,
                building=data["building"],
                entrance=data["entrance"],
                number=data["number"],
                floor=data["floor"],
                area=data["area"],
                area_source=data["area_source"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Flat %(f)s added.") % {"f": flat.label})
            return redirect("console_flat", slug=estate.slug, flat_id=flat.pk)
    return _form_page(request, estate, form, _("Add a flat"))


@login_required
def console_flat_view(request: HttpRequest, slug: str, flat_id: int) -> HttpResponse:
    estate = _console_estate(request, slug, "view_directory")
    flat = selectors.flat_get(actor=request.user, estate=estate, flat_id=flat_id)
    can_change = permissions.can(request.user, "change", flat)
    form = FlatForm(
        posted(request),
        initial={"floor": flat.floor, "area": flat.area, "area_source": flat.area_source},
    )
    if request.method == "POST":
        permissions.require(request.user, "change", flat)
        if form.is_valid():
            try:
                services.flat_update(actor=request.user, flat=flat, **form.cleaned_data)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("console_flat", slug=estate.slug, flat_id=flat.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "community/console/flat.html",
        {
            "estate": estate,
            "flat": flat,
            "form": form,
            "can_change": can_change,
            "occupancies": selectors.flat_occupancies(flat=flat),
        },
        status=status,
    )


@login_required
def console_people_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _console_estate(request, slug, "view_directory")
    page = selectors.person_search(
        actor=request.user,
        estate=estate,
        query=request.GET.get("q", ""),
        relation=request.GET.get("relation", ""),
        page=request.GET.get("page"),
    )
    template = "community/console/" + ("_person_rows.html" if is_htmx(request) else "people.html")
    return render(
        request,
        template,
        {
            "estate": estate,
            "page": page,
            "q": request.GET.get("q", ""),
            "relation": request.GET.get("relation", ""),
            "relations": Occupancy.Relation.choices,
        },
    )


@login_required
def console_person_create_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _console_estate(request, slug)
    form = PersonForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(actor=request.user, estate=estate, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("%(name)s added.") % {"name": person.full_name})
            return redirect("console_person", slug=estate.slug, person_id=person.pk)
    return _form_page(request, estate, form, _("Add a person"))


@login_required
def console_person_view(request: HttpRequest, slug: str, person_id: int) -> HttpResponse:
    estate = _console_estate(request, slug, "view_directory")
    person = selectors.person_get(actor=request.user, estate=estate, person_id=person_id)
    form = PersonForm(
        posted(request),
        initial={
            "full_name": person.full_name,
            "phone": national(person.phone),
            "note": person.note,
            "is_minor": person.is_minor,
        },
    )
    if request.method == "POST":
        permissions.require(request.user, "change", person)
        if form.is_valid():
            try:
                services.person_update(actor=request.user, person=person, **form.cleaned_data)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("console_person", slug=estate.slug, person_id=person.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "community/console/person.html",
        {
            "estate": estate,
            "person": person,
            "form": form,
            "occupancy_form": OccupancyForm(estate=estate),
            "can_change": permissions.can(request.user, "change", person),
            "occupancies": selectors.person_occupancies(person=person),
        },
        status=status,
    )


@login_required
@require_POST
def console_occupancy_create_view(request: HttpRequest, slug: str, person_id: int) -> HttpResponse:
    estate = _console_estate(request, slug)
    person = selectors.person_get(actor=request.user, estate=estate, person_id=person_id)
    form = OccupancyForm(request.POST, estate=estate)
    if form.is_valid():
        try:
            services.occupancy_create(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("console_person", slug=estate.slug, person_id=person.pk)
    return render(
        request,
        "community/console/person.html",
        {
            "estate": estate,
            "person": person,
            "form": PersonForm(
                initial={
                    "full_name": person.full_name,
                    "phone": national(person.phone),
                    "note": person.note,
                    "is_minor": person.is_minor,
                }
            ),
            "occupancy_form": form,
            "can_change": True,
            "occupancies": selectors.person_occupancies(person=person),
        },
        status=422,
    )


@login_required
@require_POST
def console_occupancy_end_view(request: HttpRequest, slug: str, occupancy_id: int) -> HttpResponse:
    estate = _console_estate(request, slug)
    occupancy = selectors.occupancy_get(
        actor=request.user, estate=estate, occupancy_id=occupancy_id
    )
    form = EndDateForm(request.POST)
    if not form.is_valid():
        raise ValidationError(list(form.errors["ends_on"]))
    services.occupancy_end(
        actor=request.user, occupancy=occupancy, ends_on=form.cleaned_data["ends_on"]
    )
    messages.success(request, _("The occupancy has ended; its history is kept."))
    return redirect("console_person", slug=estate.slug, person_id=occupancy.person_id)


@login_required
def console_roles_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _console_estate(request, slug)
    form = RoleAssignForm(posted(request), estate=estate)
    if request.method == "POST" and form.is_valid():
        try:
            services.role_assign(
                actor=request.user,
                user=form.cleaned_data["account"],
                kind=form.cleaned_data["kind"],
                estate=estate,
                building=form.cleaned_data["building"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Role assigned."))
            return redirect("console_roles", slug=estate.slug)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "community/console/roles.html",
        {
            "estate": estate,
            "form": form,
            "roles": selectors.role_list(actor=request.user, estate=estate),
        },
        status=status,
    )


@login_required
@require_POST
def console_role_end_view(request: HttpRequest, slug: str, role_id: int) -> HttpResponse:
    estate = _console_estate(request, slug)
    role = selectors.role_get(actor=request.user, estate=estate, role_id=role_id)
    services.role_end(actor=request.user, role=role)
    messages.success(request, _("The role has ended."))
    return redirect("console_roles", slug=estate.slug)


@login_required
def console_audit_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _console_estate(request, slug, "manage")
    permissions.require(request.user, "view", model="audit", obj=estate)
    page = selectors.audit_search(
        actor=request.user,
        estate=estate,
        action=request.GET.get("action", ""),
        page=request.GET.get("page"),
    )
    return render(
        request,
        "community/console/audit.html",
        {
            "estate": estate,
            "page": page,
            "action": request.GET.get("action", ""),
            "action_kinds": selectors.AUDIT_ACTION_KINDS,
        },
    )


# --- Platform console ------------------------------------------------------------------------


@login_required
def platform_view(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, "create", model="estate")
    form = EstateSetupForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            estate = services.estate_setup(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Estate %(e)s created.") % {"e": estate.name})
            return redirect(reverse("console", args=[estate.slug]))
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "community/platform.html",
        {"form": form, "estates": selectors.estate_list(), "role_kinds": Role.Kind},
        status=status,
    )
