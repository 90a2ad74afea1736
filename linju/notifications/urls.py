from django.urls import path

from linju.notifications import views

urlpatterns = [
    path("inbox/", views.inbox_view, name="inbox"),
    path("inbox/read-all/", views.inbox_read_all_view, name="inbox_read_all"),
    path("inbox/settings/", views.preferences_view, name="notification_preferences"),
    path(
        "inbox/<int:notification_id>/read/",
        views.notification_read_view,
        name="notification_read",
    ),
]
