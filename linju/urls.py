from django.urls import include, path

from linju.api.api import api

urlpatterns = [
    path("api/", api.urls),
    path("", include("linju.core.urls")),
    path("", include("linju.accounts.urls")),
    path("", include("linju.community.urls")),
    path("", include("linju.membership.urls")),
    path("", include("linju.decisions.urls")),
    path("", include("linju.notices.urls")),
    path("", include("linju.funding.urls")),
    path("", include("linju.donations.urls")),
    path("", include("linju.projects.urls")),
    path("", include("linju.ideas.urls")),
    path("", include("linju.meetings.urls")),
    path("", include("linju.conventions.urls")),
    path("", include("linju.spaces.urls")),
    path("", include("linju.talents.urls")),
    path("", include("linju.consultations.urls")),
    path("", include("linju.consultations.urls_results")),
    path("", include("linju.foundation.urls")),
    path("", include("linju.budgeting.urls")),
    path("", include("linju.opinions.urls")),
    path("", include("linju.works.urls")),
    path("", include("linju.grants.urls")),
    path("", include("linju.notifications.urls")),
    path("", include("linju.privacy.urls")),
]

handler400 = "linju.core.views.bad_request"
handler403 = "linju.core.views.permission_denied"
handler404 = "linju.core.views.page_not_found"
handler500 = "linju.core.views.server_error"
