from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from matching import selectors
from matching.forms import MentorSearchForm
from matching.recommender import serving


@require_GET
@vary_on_headers("HX-Request")
def search(request: HttpRequest) -> HttpResponse:
    """`/mentors/`: the filters and one page of results; HTMX filter changes get only the results back."""
    student = selectors.student_facts_for(request.user)
    options = selectors.filter_options()
    form = MentorSearchForm(
        request.GET,
        options=options,
        is_student=student is not None,
        knows_place=bool(student and student.state),
    )
    filters = form.search_filters()
    if student is not None and filters.sort == "for_you":
        page = serving.for_you_page(
            request.user, filters=filters, student=student, page=form.page_number(), at=timezone.now(), options=options
        )
    else:
        page = selectors.mentor_search_page(
            filters=filters, student=student, page=form.page_number(), at=timezone.now(), options=options
        )
    context = {
        "form": form,
        "page": page,
        "student": student,
        "sorted_by_match": student is not None and filters.sort == "best",
        "relaxations": _relaxations(request, form),
    }
    partial = request.htmx and not request.htmx.history_restore_request
    return render(request, "matching/search.html#results" if partial else "matching/search.html", context)


def _relaxations(request: HttpRequest, form: MentorSearchForm) -> list[tuple[str, str]]:
    """(what to drop, the search without it) for every active filter: the ways out of an empty result."""
    relaxed = []
    for name, shown in form.active_filters():
        query = request.GET.copy()
        query.pop(name, None)
        query.pop("page", None)
        relaxed.append((shown, query.urlencode()))
    return relaxed
