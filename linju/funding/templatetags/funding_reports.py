"""``{% fund_charts fund as charts %}``: a fund's charts for its page (two queries)."""

from typing import Any

from django import template

from linju.funding import charts

register = template.Library()


@register.simple_tag
def fund_charts(fund: Any) -> dict[str, Any]:
    return charts.fund_charts(fund)
