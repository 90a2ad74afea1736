"""Linju's pages plus one trivial view, the baseline every page is compared with."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def trivial_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [
    path("bench-trivial/", trivial_view, name="bench_trivial"),
    path("", include("linju.urls")),
]
