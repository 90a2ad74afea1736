from django.conf import settings

from linju.core.permissions import actor_for


def linju(request):
    return {
        "large_text": getattr(request, "large_text", False),
        "site_name": settings.LINJU_SITE_NAME,
        "actor": actor_for(getattr(request, "user", None)),
    }
