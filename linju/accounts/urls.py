from django.urls import path

from linju.accounts import views

urlpatterns = [
    path("sign-in/code/send/", views.sign_in_code_send_view, name="sign_in_code_send"),
    path("sign-in/code/", views.sign_in_code_view, name="sign_in_code"),
    path("sign-up/", views.sign_up_view, name="sign_up"),
    path("sign-up/code/send/", views.sign_up_code_send_view, name="sign_up_code_send"),
    path("privacy/", views.privacy_notice_view, name="privacy_notice"),
    path("me/settings/", views.account_settings_view, name="account_settings"),
    path(
        "me/settings/publish-name/",
        views.consent_publish_name_view,
        name="consent_publish_name",
    ),
]
