from django import template

from objectives import ratings

register = template.Library()


@register.filter
def rating_label(rating):
    return ratings.label(rating)


@register.filter
def rating_class(rating):
    return ratings.css_class(rating)


@register.filter
def rating_help(rating):
    return ratings.HELP_TEXT.get(rating, "")
