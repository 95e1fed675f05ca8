"""``{% load recommendations %}{% recommended_mentors_panel %}``: the mentors who best fit the signed-in student,
with the reasons, for dashboards owned by other apps (accounts must not import matching)."""

from django import template
from django.utils import timezone

from matching import page_cache, selectors

register = template.Library()

PANEL_SIZE = 3


@register.inclusion_tag("matching/_recommended_mentors.html", takes_context=True)
def recommended_mentors_panel(context: template.Context) -> dict:
    request = context["request"]
    student = selectors.student_facts_for(request.user)
    page = selectors.mentor_search_page(
        filters=selectors.SearchFilters(),
        student=student,
        page=1,
        at=timezone.now(),
        options=selectors.filter_options(),
    )
    results = page.results[:PANEL_SIZE]
    cards = page_cache.mentor_cards(page_cache.data_version(), results)
    return {"request": request, "results": results, "cards": cards}
