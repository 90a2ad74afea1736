"""Pages for ideas, comments, moderation and a project's topics.

Members of the estate read a building's ideas and comments; residents of the building (and
its group leader, and committee staff) post and support ideas; the group leader and staff
moderate, merge and turn ideas into topics. To anyone else each page is the same 404 as a
missing one; a visitor who is not signed in is sent to sign in.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linju.community import selectors as community_selectors
from linju.community.models import Building, Estate
from linju.core import permissions
from linju.core.http import form_errors, is_htmx, posted
from linju.core.images import serve_photo
from linju.ideas import selectors, services
from linju.ideas.forms import (
    CommentForm,
    HideForm,
    IdeaForm,
    MergeForm,
    ReportForm,
    TopicForm,
    ToTopicForm,
)
from linju.ideas.models import Comment, Idea, Topic
from linju.projects.models import Project

PHOTO_SIZES = ("thumb", "web", "full")


def _building(request: HttpRequest, slug: str, number: str) -> tuple[Estate, Building]:
    estate = community_selectors.estate_get(slug=slug)
    building = community_selectors.building_get(estate=estate, number=number)
    probe = Idea(estate=estate, building=building, status=Idea.Status.OPEN)
    if not permissions.can(request.user, "view", probe):
        raise Http404
    return estate, building


def _idea(request: HttpRequest, slug: str, idea_id: int) -> Idea:
    estate = community_selectors.estate_get(slug=slug)
    return selectors.idea_get(actor=request.user, estate=estate, idea_id=idea_id)


def _project(request: HttpRequest, slug: str, project_id: int) -> Project:
    estate = community_selectors.estate_get(slug=slug)
    return selectors.project_get(actor=request.user, estate=estate, project_id=project_id)


def _comment(request: HttpRequest, slug: str, comment_id: int) -> Comment:
    estate = community_selectors.estate_get(slug=slug)
    return selectors.comment_get(actor=request.user, estate=estate, comment_id=comment_id)


def _next_or(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


def _comment_home(comment: Comment) -> str:
    """The page a comment is shown on."""
    if comment.idea_id is not None:
        return reverse("idea_detail", args=[comment.estate.slug, comment.idea_id]) + "#comments"
    return reverse("project_topics", args=[comment.estate.slug, comment.project_id]) + "#comments"


# --- Ideas of a building --------------------------------------------------------------------


@login_required
def building_ideas_view(request: HttpRequest, slug: str, number: str) -> HttpResponse:
    estate, building = _building(request, slug, number)
    ideas = selectors.ideas_for_building(actor=request.user, building=building)
    for idea in ideas:
        idea.may_support = (  # type: ignore[attr-defined]
            idea.author_id != request.user.pk and permissions.can(request.user, "support", idea)
        )
    return render(
        request,
        "ideas/building_ideas.html",
        {
            "estate": estate,
            "building": building,
            "ideas": [i for i in ideas if i.status != Idea.Status.MERGED],
            "merged": [i for i in ideas if i.status == Idea.Status.MERGED],
            "may_post": permissions.can(
                request.user, "create", Idea(estate=estate, building=building)
            ),
        },
    )


@login_required
def idea_create_view(request: HttpRequest, slug: str, number: str) -> HttpResponse:
    estate, building = _building(request, slug, number)
    if not permissions.can(request.user, "create", Idea(estate=estate, building=building)):
        raise Http404
    form = IdeaForm(posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            idea = services.idea_post(
                actor=request.user,
                estate=estate,
                building=building,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                photos=form.cleaned_data["photos"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Your idea is posted. Your neighbours can see it now."))
            return redirect("idea_detail", slug=estate.slug, idea_id=idea.pk)
    return render(
        request,
        "ideas/idea_form.html",
        {"estate": estate, "building": building, "form": form},
        status=422 if request.method == "POST" else 200,
    )


def _idea_page(
    request: HttpRequest,
    idea: Idea,
    *,
    comment_form: CommentForm | None = None,
    merge_form: MergeForm | None = None,
    topic_form: ToTopicForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    may_manage = permissions.can(user, "manage", idea)
    comments, reported = selectors.idea_comments(actor=user, idea=idea)
    targets = selectors.merge_targets(actor=user, idea=idea) if may_manage else []
    projects = selectors.topic_projects(idea=idea) if may_manage else []
    probe = Comment(estate_id=idea.estate_id, building_id=idea.building_id, idea=idea)
    return render(
        request,
        "ideas/idea_detail.html",
        {
            "estate": idea.estate,
            "building": idea.building,
            "idea": idea,
            "photos": selectors.idea_photos(idea=idea),
            "comments": comments,
            "reported_by_me": reported,
            "may_support": permissions.can(user, "support", idea) and idea.author_id != user.pk,
            "may_comment": idea.status != Idea.Status.MERGED
            and permissions.can(user, "create", probe),
            "may_manage": may_manage,
            "comment_form": comment_form or CommentForm(),
            "merge_form": merge_form or MergeForm(targets=targets),
            "topic_form": topic_form or ToTopicForm(projects=projects),
            "has_targets": bool(targets),
            "has_projects": bool(projects),
            "here": request.path,
        },
        status=status,
    )


@login_required
def idea_detail_view(request: HttpRequest, slug: str, idea_id: int) -> HttpResponse:
    return _idea_page(request, _idea(request, slug, idea_id))


@login_required
def idea_photo_view(
    request: HttpRequest, slug: str, idea_id: int, photo_id: int, size: str
) -> FileResponse:
    if size not in PHOTO_SIZES:
        raise Http404
    idea = _idea(request, slug, idea_id)
    photo = selectors.idea_photo_get(idea=idea, photo_id=photo_id)
    return serve_photo(photo, size, f"idea-{idea.pk}-{photo.position + 1}")


@login_required
@require_POST
def idea_support_view(request: HttpRequest, slug: str, idea_id: int) -> HttpResponse:
    idea = _idea(request, slug, idea_id)
    if not permissions.can(request.user, "support", idea):
        raise Http404
    status = 200
    try:
        if request.POST.get("support") == "0":
            services.idea_unsupport(actor=request.user, idea=idea)
        else:
            services.idea_support(actor=request.user, idea=idea)
    except ValidationError as exc:
        status = 422
        if not is_htmx(request):
            messages.error(request, " ".join(exc.messages))
            return _next_or(request, idea.get_absolute_url())
        error = " ".join(exc.messages)
    else:
        error = ""
    if not is_htmx(request):
        return _next_or(request, idea.get_absolute_url())
    idea = _idea(request, slug, idea_id)
    return render(
        request,
        "ideas/_support.html",
        {"idea": idea, "estate": idea.estate, "may_support": True, "support_error": error},
        status=status,
    )


@login_required
@require_POST
def idea_comment_post_view(request: HttpRequest, slug: str, idea_id: int) -> HttpResponse:
    idea = _idea(request, slug, idea_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_post(actor=request.user, idea=idea, body=form.cleaned_data["body"])
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return redirect(idea.get_absolute_url() + "#comments")
    return _idea_page(request, idea, comment_form=form, status=422)


@login_required
@require_POST
def idea_merge_view(request: HttpRequest, slug: str, idea_id: int) -> HttpResponse:
    idea = _idea(request, slug, idea_id)
    if not permissions.can(request.user, "manage", idea):
        raise Http404
    targets = selectors.merge_targets(actor=request.user, idea=idea)
    form = MergeForm(request.POST, targets=targets)
    if form.is_valid():
        into = next(i for i in targets if i.pk == form.cleaned_data["into"])
        try:
            services.idea_merge(actor=request.user, idea=idea, into=into)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request, _("The idea is merged; its supporters now count for the other.")
            )
            return redirect(into.get_absolute_url())
    return _idea_page(request, idea, merge_form=form, status=422)


@login_required
@require_POST
def idea_to_topic_view(request: HttpRequest, slug: str, idea_id: int) -> HttpResponse:
    idea = _idea(request, slug, idea_id)
    if not permissions.can(request.user, "manage", idea):
        raise Http404
    projects = selectors.topic_projects(idea=idea)
    form = ToTopicForm(request.POST, projects=projects)
    if form.is_valid():
        project = next(p for p in projects if p.pk == form.cleaned_data["project"])
        try:
            services.idea_to_topic(
                actor=request.user, idea=idea, project=project, title=form.cleaned_data["title"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The idea is on the project's topic list."))
            return redirect("project_topics", slug=idea.estate.slug, project_id=project.pk)
    return _idea_page(request, idea, topic_form=form, status=422)


# --- Comments and their moderation ----------------------------------------------------------


@login_required
@require_POST
def comment_report_view(request: HttpRequest, slug: str, comment_id: int) -> HttpResponse:
    comment = _comment(request, slug, comment_id)
    if not permissions.can(request.user, "report", comment):
        raise Http404
    form = ReportForm(request.POST)
    if form.is_valid():
        try:
            services.comment_report(
                actor=request.user, comment=comment, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Thank you: the group leader will look at this comment."))
            return _next_or(request, _comment_home(comment))
    return render(
        request,
        "ideas/report.html",
        {
            "estate": comment.estate,
            "comment": comment,
            "form": form,
            "next": request.POST.get("next", ""),
            "back": _comment_home(comment),
        },
        status=422,
    )


def _moderated(request: HttpRequest, slug: str, comment_id: int) -> Comment:
    comment = _comment(request, slug, comment_id)
    if not permissions.can(request.user, "moderate", comment):
        raise Http404
    return comment


@login_required
@require_POST
def comment_hide_view(request: HttpRequest, slug: str, comment_id: int) -> HttpResponse:
    comment = _moderated(request, slug, comment_id)
    form = HideForm(request.POST)
    if form.is_valid():
        try:
            services.comment_hide(
                actor=request.user, comment=comment, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The comment is hidden; residents see your reason."))
            return _next_or(request, _comment_home(comment))
    return render(
        request,
        "ideas/hide.html",
        {
            "estate": comment.estate,
            "comment": comment,
            "form": form,
            "next": request.POST.get("next", ""),
            "back": _comment_home(comment),
        },
        status=422,
    )


@login_required
@require_POST
def comment_unhide_view(request: HttpRequest, slug: str, comment_id: int) -> HttpResponse:
    comment = _moderated(request, slug, comment_id)
    try:
        services.comment_unhide(actor=request.user, comment=comment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The comment is shown again."))
    return _next_or(request, _comment_home(comment))


@login_required
@require_POST
def comment_keep_view(request: HttpRequest, slug: str, comment_id: int) -> HttpResponse:
    comment = _moderated(request, slug, comment_id)
    try:
        services.comment_keep(actor=request.user, comment=comment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The comment stays; its reports are cleared."))
    return _next_or(request, reverse("comment_queue", args=[comment.estate.slug]))


@login_required
def comment_queue_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = community_selectors.estate_get(slug=slug)
    if not permissions.can(request.user, "review", estate, model="comment"):
        raise Http404
    return render(
        request,
        "ideas/queue.html",
        {
            "estate": estate,
            "comments": selectors.moderation_queue(actor=request.user, estate=estate),
            "here": request.path,
        },
    )


# --- A project's topics and comments --------------------------------------------------------


def _project_page(
    request: HttpRequest,
    project: Project,
    *,
    comment_form: CommentForm | None = None,
    topic_form: TopicForm | None = None,
    status: int = 200,
) -> HttpResponse:
    section = selectors.project_section(project=project, actor=request.user, showcase=False)
    if section is None:
        raise Http404
    page = selectors.comment_page(
        actor=request.user, project=project, before=request.GET.get("before")
    )
    return render(
        request,
        "ideas/project_topics.html",
        {
            "estate": project.estate,
            "project": project,
            **section["context"],
            "comment_page": page,
            "comment_form": comment_form or CommentForm(),
            "topic_form": topic_form or TopicForm(),
            "here": request.path,
        },
        status=status,
    )


@login_required
def project_topics_view(request: HttpRequest, slug: str, project_id: int) -> HttpResponse:
    return _project_page(request, _project(request, slug, project_id))


@login_required
def project_comments_view(request: HttpRequest, slug: str, project_id: int) -> HttpResponse:
    project = _project(request, slug, project_id)
    probe = Comment(estate_id=project.estate_id, project=project)
    if not permissions.can(request.user, "view", probe):
        raise Http404
    page = selectors.comment_page(
        actor=request.user, project=project, before=request.GET.get("before")
    )
    return render(
        request,
        "ideas/_comment_page.html",
        {
            "estate": project.estate,
            "ideas_project": project,
            "comment_page": page,
            "here": reverse("project_topics", args=[project.estate.slug, project.pk]),
        },
    )


@login_required
@require_POST
def project_comment_post_view(request: HttpRequest, slug: str, project_id: int) -> HttpResponse:
    project = _project(request, slug, project_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_post(
                actor=request.user, project=project, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return _next_or(
                request,
                reverse("project_topics", args=[project.estate.slug, project.pk]) + "#comments",
            )
    return _project_page(request, project, comment_form=form, status=422)


def _managed_topics(request: HttpRequest, slug: str, project_id: int) -> Project:
    project = _project(request, slug, project_id)
    if not permissions.can(request.user, "manage", Topic(project=project)):
        raise Http404
    return project


def _to_topics(project: Project) -> HttpResponse:
    return redirect("project_topics", slug=project.estate.slug, project_id=project.pk)


@login_required
@require_POST
def topic_add_view(request: HttpRequest, slug: str, project_id: int) -> HttpResponse:
    project = _managed_topics(request, slug, project_id)
    form = TopicForm(request.POST)
    if form.is_valid():
        try:
            services.topic_add(
                actor=request.user, project=project, title=form.cleaned_data["title"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return _to_topics(project)
    return _project_page(request, project, topic_form=form, status=422)


@login_required
@require_POST
def topic_remove_view(
    request: HttpRequest, slug: str, project_id: int, topic_id: int
) -> HttpResponse:
    project = _managed_topics(request, slug, project_id)
    topic = selectors.topic_get(project=project, topic_id=topic_id)
    services.topic_remove(actor=request.user, topic=topic)
    messages.success(request, _("The topic is taken off the list."))
    return _to_topics(project)


@login_required
@require_POST
def topic_move_view(
    request: HttpRequest, slug: str, project_id: int, topic_id: int
) -> HttpResponse:
    project = _managed_topics(request, slug, project_id)
    topic = selectors.topic_get(project=project, topic_id=topic_id)
    order = [t.pk for t in selectors.project_topics(project=project)]
    at = order.index(topic.pk)
    step = -1 if request.POST.get("direction") == "up" else 1
    if 0 <= at + step < len(order):
        order[at], order[at + step] = order[at + step], order[at]
        services.topic_reorder(actor=request.user, project=project, order=order)
    return _to_topics(project)
