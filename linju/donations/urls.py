from django.urls import path

from linju.donations import views

S = "s/<slug:street_slug>/foundation/"
D = S + "donations/<int:pk>/"

urlpatterns = [
    path(S + "account/", views.account_setup_view, name="foundation_account_setup"),
    path(S + "dashboard/", views.dashboard_view, name="foundation_dashboard"),
    path(S + "dashboard.xlsx", views.dashboard_xlsx_view, name="foundation_dashboard_xlsx"),
    path(S + "fund/", views.fund_view, name="foundation_fund"),
    path(S + "donations/", views.donation_list_view, name="foundation_donations"),
    path(S + "donations/new/", views.donation_create_view, name="foundation_donation_create"),
    path(D + "receipt.pdf", views.receipt_pdf_view, name="foundation_receipt_pdf"),
    path(D + "send/", views.receipt_send_view, name="foundation_receipt_send"),
    path(S + "receipts/<str:token>/", views.receipt_check_view, name="foundation_receipt_check"),
]
