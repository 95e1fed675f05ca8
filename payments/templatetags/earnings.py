"""``{% load earnings %}{% price_field form.price_rupees %}``: a price box (mentorship.forms.PriceRupeesField) with
the "You'll earn" figures under it, rendered with the page and refreshed by htmx as the price changes."""

from django import template

from payments.earnings import you_earn_context

register = template.Library()


@register.inclusion_tag("payments/_price_field.html", takes_context=True)
def price_field(context, field):
    allow_free = getattr(field.field, "allow_free", False)
    return {
        "field": field,
        "allow_free": allow_free,
        **you_earn_context(field.value(), mentor=context["request"].user, allow_free=allow_free),
    }
