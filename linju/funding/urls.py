from django.urls import URLPattern, URLResolver, include, path

from linju.funding.views import console, public

F = "e/<slug:slug>/funds/<int:fund_id>/"
C = "e/<slug:slug>/console/funds/"
CF = C + "<int:fund_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("e/<slug:slug>/funds/", public.fund_list_view, name="funds"),
    path(F, public.fund_detail_view, name="fund_detail"),
    path(F + "pledge/", public.fund_pledge_view, name="fund_pledge"),
    path(F + "receipts/<int:expense_id>/", public.expense_receipt_view, name="fund_receipt"),
    path(F + "pledges/<int:pledge_id>/photo/", public.pledge_photo_view, name="fund_pledge_photo"),
    path(C, console.console_funds_view, name="console_funds"),
    path(C + "new/", console.console_fund_create_view, name="console_fund_create"),
    path(CF, console.console_fund_view, name="console_fund"),
    path(
        CF + "received/",
        console.console_fund_record_view,
        {"what": "contribution"},
        name="console_fund_contribution",
    ),
    path(
        CF + "materials/",
        console.console_fund_record_view,
        {"what": "material"},
        name="console_fund_material",
    ),
    path(
        CF + "materials/used/",
        console.console_fund_record_view,
        {"what": "material_use"},
        name="console_fund_material_use",
    ),
    path(
        CF + "expenses/new/",
        console.console_fund_record_view,
        {"what": "expense"},
        name="console_fund_expense",
    ),
    path(
        CF + "entries/<int:entry_id>/reverse/",
        console.console_entry_reverse_view,
        name="console_entry_reverse",
    ),
    path(
        C + "expenses/<int:expense_id>/approve/",
        console.console_expense_approve_view,
        name="console_expense_approve",
    ),
    path(
        C + "expenses/<int:expense_id>/reject/",
        console.console_expense_reject_view,
        name="console_expense_reject",
    ),
]

urlpatterns += [path("", include("linju.funding.urls_reports"))]
