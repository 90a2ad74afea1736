from django.urls import URLPattern, URLResolver, path

from linju.works import views

P = "e/<slug:slug>/projects/<int:project_id>/works/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(P + "design/", views.design_view, name="works_design"),
    path(P + "design/plans/new/", views.plan_add_view, name="works_plan_add"),
    path(P + "design/plans/<int:plan_id>/pdf/", views.plan_pdf_view, name="works_plan_pdf"),
    path(P + "design/options/new/", views.option_add_view, name="works_option_add"),
    path(P + "design/scope/", views.scope_view, name="works_scope"),
    path(P + "design/vote/", views.vote_start_view, name="works_vote_start"),
    path(P + "design/owners/<int:matter>/", views.owners_offer_view, name="works_owners_offer"),
    path(P + "quotes/", views.quotes_view, name="works_quotes"),
    path(P + "quotes/<int:quote_id>/choose/", views.quote_choose_view, name="works_quote_choose"),
    path(P + "milestones/", views.milestones_view, name="works_milestones"),
    path(
        P + "milestones/<int:milestone_id>/done/",
        views.milestone_done_view,
        name="works_milestone_done",
    ),
    path(P + "supervision/", views.supervision_view, name="works_supervision"),
    path(P + "acceptance/", views.acceptance_view, name="works_acceptance"),
    path(P + "acceptance/items/", views.acceptance_item_add_view, name="works_acceptance_item_add"),
    path(
        P + "acceptance/items/<int:item_id>/",
        views.acceptance_item_check_view,
        name="works_acceptance_item_check",
    ),
    path(
        P + "acceptance/representatives/",
        views.representatives_view,
        name="works_representatives",
    ),
    path(P + "acceptance/sign/", views.acceptance_sign_view, name="works_acceptance_sign"),
    path(
        P + "acceptance/signers/<int:signer_id>/paper/",
        views.acceptance_paper_view,
        name="works_acceptance_paper",
    ),
    path(P + "evaluation/", views.evaluation_view, name="works_evaluation"),
    path(
        P + "photos/<str:kind>/<int:photo_id>/<str:size>/",
        views.photo_view,
        name="works_photo",
    ),
]
