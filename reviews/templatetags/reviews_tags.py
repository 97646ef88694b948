from django import template

from reviews.pdf import RATING_SHORT

register = template.Library()
_SHORT = {rating.value: short for rating, short in RATING_SHORT.items()}


@register.filter
def short_rating(rating):
    return _SHORT.get(rating, "–") if rating else "–"
