from fractions import Fraction

from django import template

from linju.consultations.charts import percent as percent_text

register = template.Library()


@register.filter
def percent(value: Fraction | None) -> str:
    """An exact share written as ``"33.3%"`` (half up); ``"–"`` when there is none."""
    return percent_text(value)
