"""Every table that belongs to an estate carries the estate key, indexed, so the data can be
distributed by estate later without a redesign."""

from django.apps import apps

# Tables above or outside an estate: the places themselves, accounts, and roles of a street or
# of the platform (whose estate is empty), and audit events of those.
NOT_ESTATE_TABLES = {
    "community.Street",
    "community.Estate",
    "core.User",
    "core.User_groups",  # Django's own account tables
    "core.User_user_permissions",
}


def _estate_models():
    for app_label in ("community", "core", "membership"):
        for model in apps.get_app_config(app_label).get_models(include_auto_created=True):
            if model._meta.label not in NOT_ESTATE_TABLES:
                yield model


def test_every_estate_table_has_an_indexed_estate_key():
    missing = []
    for model in _estate_models():
        field = next((f for f in model._meta.local_fields if f.name == "estate"), None)
        if field is None or not field.db_index:
            missing.append(model._meta.label)
    assert missing == []


def test_no_hidden_many_to_many_tables():
    """An automatic many-to-many table would have no estate key: use an explicit model."""
    auto = [
        m._meta.label
        for app_label in ("community", "core", "membership")
        for m in apps.get_app_config(app_label).get_models(include_auto_created=True)
        if m._meta.auto_created and m._meta.label not in NOT_ESTATE_TABLES
    ]
    assert auto == []
