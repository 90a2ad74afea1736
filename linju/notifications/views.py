from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from linju.notifications import selectors, services
from linju.notifications.context_processors import Inbox
from linju.notifications.forms import PreferencesForm
from linju.notifications.models import KindGroup

PAGE_SIZE = 20


@login_required
def inbox_view(request: HttpRequest) -> HttpResponse:
    notifications = selectors.notification_list(user=request.user)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def notification_read_view(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = selectors.notification_get(user=request.user, notification_id=notification_id)
    services.notification_mark_read(actor=request.user, notification=notification)
    opening = request.POST.get("open") == "1" and notification.url
    if getattr(request, "htmx", False) and not opening:
        return render(
            request,
            "notifications/_read.html",
            {"n": notification, "inbox": Inbox(request.user)},
        )
    if opening and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notification.url)
    return redirect("inbox")


@login_required
@require_POST
def inbox_read_all_view(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(actor=request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)d message marked as read.", "%(count)d messages marked as read.", count
            )
            % {"count": count},
        )
    return redirect("inbox")


@login_required
def preferences_view(request: HttpRequest) -> HttpResponse:
    preferences = selectors.preferences_for(request.user)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            try:
                services.preferences_update(
                    actor=request.user, user=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Your choices are saved."))
                return redirect("notification_preferences")
        status = 422
    else:
        form = PreferencesForm(initial=PreferencesForm.initial_from(preferences))
        status = 200
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "groups": KindGroup.choices,
            "sms_on": form["sms_groups"].value() or [],
            "wechat_on": form["wechat_groups"].value() or [],
            "notes": selectors.channel_limits(user=request.user),
            "digest_after": settings.LINJU_NOTIFY_DIGEST_AFTER,
            "digest_minutes": settings.LINJU_NOTIFY_DIGEST_WINDOW_MINUTES,
        },
        status=status,
    )
