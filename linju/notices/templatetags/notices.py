from typing import Any

from django import template

from linju.notices.board import Section

register = template.Library()


@register.simple_tag(takes_context=True)
def board_section(context: Any, section: Section) -> str:
    """``{% include section.template %}`` with the section's own context added to the page's
    (``section`` itself too), as ``board.register_section`` documents."""
    included = context.template.engine.get_template(section.template)
    with context.push(**section.context, section=section):
        return included.render(context)
