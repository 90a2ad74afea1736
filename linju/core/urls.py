from django.contrib.auth import views as auth_views
from django.urls import path

from linju.core import views

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("preferences/language/", views.language_set_view, name="language_set"),
    path("preferences/large-text/", views.large_text_set_view, name="large_text_set"),
]
