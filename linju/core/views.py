from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from linju.community.services import preferences_set
from linju.core.forms import SignInForm
from linju.core.middleware import LARGE_TEXT_COOKIE

ONE_YEAR = 365 * 24 * 3600


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.headers.get("Referer") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    return target


@require_POST
def language_set_view(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    if request.user.is_authenticated:
        preferences_set(user=request.user, language=language)
    response = redirect(_back(request))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, max_age=ONE_YEAR, samesite="Lax", httponly=True
    )
    return response


@require_POST
def large_text_set_view(request: HttpRequest) -> HttpResponse:
    on = request.POST.get("large_text") == "1"
    if request.user.is_authenticated:
        preferences_set(user=request.user, large_text=on)
    response = redirect(_back(request))
    response.set_cookie(
        LARGE_TEXT_COOKIE, "1" if on else "0", max_age=ONE_YEAR, samesite="Lax", httponly=True
    )
    return response


class SignInView(auth_views.LoginView):
    template_name = "core/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        from linju.accounts.forms import PhoneForm

        context = super().get_context_data(**kwargs)
        context.setdefault("code_phone_form", PhoneForm(initial={"next": context.get("next")}))
        return context

    def form_valid(self, form):
        return remember_preferences(super().form_valid(form), form.get_user())

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 422
        if form.locked_out is not None:
            response.status_code = 429
            response["Retry-After"] = str(form.locked_out.retry_after)
        return response


def remember_preferences(response: HttpResponse, user) -> HttpResponse:
    """After signing in: an account's saved choices follow it to a new phone."""
    if user.language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            max_age=ONE_YEAR,
            samesite="Lax",
            httponly=True,
        )
    if user.large_text:
        response.set_cookie(LARGE_TEXT_COOKIE, "1", max_age=ONE_YEAR, samesite="Lax", httponly=True)
    return response


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse(
            {"detail": gettext("There is nothing here, or it is not yours to see.")}, status=404
        )
    return render(request, "errors/404.html", status=404)


def server_error(request):
    if _is_api(request):
        return JsonResponse(
            {"detail": "Internal error; nothing was saved. 服务器出错，未保存。"}, status=500
        )
    return render(request, "errors/500.html", status=500)
