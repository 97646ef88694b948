from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

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


@register.filter
def rating_label_wrapping(rating):
    """The rating's word, free to wrap after its slash ("Amber/" "Red") in a narrow cell."""
    return format_html_join(
        mark_safe("/<wbr>"), "{}", ((part,) for part in ratings.label(rating).split("/"))
    )
