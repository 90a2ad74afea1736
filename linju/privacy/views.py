from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from linju.privacy import services
from linju.privacy.forms import AccountDeleteForm
from linju.privacy.retention import RETENTION


@login_required
def my_data_view(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/my_data.html", {"retention": RETENTION.values()})


@login_required
def my_data_download_view(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        download = services.my_data_export(actor=request.user, fmt=fmt)
    except ValidationError as exc:
        raise Http404 from exc
    response = HttpResponse(download.content, content_type=download.content_type)
    response["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def account_delete_view(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "privacy/delete.html", {"form": AccountDeleteForm()})
    form = AccountDeleteForm(request.POST)
    if form.is_valid():
        try:
            services.account_delete(actor=request.user, confirmed=form.cleaned_data["confirm"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            logout(request)
            return redirect("account_deleted")
    return render(request, "privacy/delete.html", {"form": form}, status=422)


def account_deleted_view(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/deleted.html")
