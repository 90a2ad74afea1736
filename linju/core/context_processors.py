from django.conf import settings

from linju.community.models import Estate
from linju.core.permissions import actor_for


def linju(request):
    actor = actor_for(getattr(request, "user", None))
    return {
        "large_text": getattr(request, "large_text", False),
        "site_name": settings.LINJU_SITE_NAME,
        "actor": actor,
        "console_estates": (
            Estate.objects.filter(pk__in=actor.officer_estates).only("slug", "name")
            if actor.officer_estates
            else []
        ),
    }
