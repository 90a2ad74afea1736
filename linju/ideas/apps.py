from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdeasConfig(AppConfig):
    name = "linju.ideas"
    label = "ideas"
    verbose_name = _("Ideas, comments and topics")

    def ready(self) -> None:
        from linju.ideas import selectors
        from linju.projects.requirements import register_requirement
        from linju.projects.sections import register_section

        register_requirement(
            "topics_listed",
            _("the project's topic list has at least one topic"),
            selectors.topics_listed,
        )
        register_section("ideas", selectors.project_section)
