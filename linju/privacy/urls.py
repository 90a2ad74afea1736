from django.urls import path

from linju.privacy import views

urlpatterns = [
    path("me/data/", views.my_data_view, name="my_data"),
    path("me/data/download/<str:fmt>/", views.my_data_download_view, name="my_data_download"),
    path("me/data/delete/", views.account_delete_view, name="account_delete"),
    path("me/data/deleted/", views.account_deleted_view, name="account_deleted"),
]
