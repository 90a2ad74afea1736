from django import template

from linju.core import permissions
from linju.core.phones import mask_phone, national
from linju.privacy.phone_views import full_phone_shown

register = template.Library()


@register.simple_tag(takes_context=True)
def phone(context, person) -> str:
    """A person's phone number: in full only for those the permission table allows."""
    if not person.phone:
        return ""
    if permissions.can(context["request"].user, "view_phone", person):
        full_phone_shown(context["request"], person)  # audited once the page is rendered
        return national(person.phone)
    return mask_phone(person.phone)


@register.simple_tag(takes_context=True)
def can(context, action, obj=None, model=None) -> bool:
    return permissions.can(context["request"].user, action, obj, model=model)
