from django.urls import URLPattern, URLResolver, path, re_path

from linju.ideas import views

B = "e/<slug:slug>/b/<str:number>/ideas/"
IDEA = "e/<slug:slug>/ideas/<int:idea_id>/"
C = "e/<slug:slug>/comments/<int:comment_id>/"
P = "e/<slug:slug>/projects/<int:project_id>/"
T = P + "topics/<int:topic_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(B, views.building_ideas_view, name="building_ideas"),
    path(B + "new/", views.idea_create_view, name="idea_create"),
    path(IDEA, views.idea_detail_view, name="idea_detail"),
    re_path(
        r"^e/(?P<slug>[-a-zA-Z0-9_]+)/ideas/(?P<idea_id>[0-9]+)/photos/(?P<photo_id>[0-9]+)/"
        r"(?P<size>thumb|web|full)/$",
        views.idea_photo_view,
        name="idea_photo",
    ),
    path(IDEA + "support/", views.idea_support_view, name="idea_support"),
    path(IDEA + "comments/", views.idea_comment_post_view, name="idea_comment_post"),
    path(IDEA + "merge/", views.idea_merge_view, name="idea_merge"),
    path(IDEA + "topic/", views.idea_to_topic_view, name="idea_to_topic"),
    path(C + "report/", views.comment_report_view, name="comment_report"),
    path(C + "hide/", views.comment_hide_view, name="comment_hide"),
    path(C + "unhide/", views.comment_unhide_view, name="comment_unhide"),
    path(C + "keep/", views.comment_keep_view, name="comment_keep"),
    path("e/<slug:slug>/console/comments/", views.comment_queue_view, name="comment_queue"),
    path(P + "topics/", views.project_topics_view, name="project_topics"),
    path(P + "topics/new/", views.topic_add_view, name="topic_add"),
    path(T + "remove/", views.topic_remove_view, name="topic_remove"),
    path(T + "move/", views.topic_move_view, name="topic_move"),
    path(P + "comments/", views.project_comments_view, name="project_comments"),
    path(P + "comments/new/", views.project_comment_post_view, name="project_comment_post"),
]
