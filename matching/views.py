from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import User
from matching import page_cache, selectors
from matching.forms import MentorSearchForm, TermSuggestionsForm
from matching.recommender import serving
from mentorship import layout
from mentorship.htmx import vary_on_htmx, wants_partial
from mentorship.http import AuthenticatedHttpRequest, HtmxHttpRequest


@require_GET
def search(request: HtmxHttpRequest) -> HttpResponse:
    """`/mentors/`: the filters and one page of results; HTMX filter changes get only the results back.

    What does not depend on the viewer comes from `page_cache`: a signed-out visitor's whole page, per URL; the
    form and the results of anyone who is not a student, per query; for a student the form and the filters it
    parses to, per query, and each mentor's card, with only the score and reasons computed here.
    """
    # A student's page needs their facts, the data version and the filter options first: one read from Redis.
    facts_key = selectors.student_facts_key(request.user)
    first_keys = [page_cache.DATA_VERSION_KEY]
    if facts_key is not None:
        first_keys += [facts_key, selectors.FILTER_OPTIONS_CACHE_KEY]
    found = page_cache.read_many(first_keys)
    student = selectors.student_facts_for(request.user, found)
    version = page_cache.data_version(found)
    partial = wants_partial(request)
    if student is None and not partial:
        page = page_cache.visitor_page(
            request,
            version,
            lambda extra: render_to_string("matching/search.html", {**_shared(request, version), **extra}, request),
        )
        if page is not None:
            return vary_on_htmx(HttpResponse(page))
    if student is None:
        context = _shared(request, version)
    else:
        context = _filters_and_results(request, student, version, selectors.filter_options(found))
    if partial:
        return vary_on_htmx(HttpResponse(context["results_html"]))
    return vary_on_htmx(HttpResponse(layout.render_page(request, "matching/search.html", context)))


def _shared(request: HttpRequest, version: str | None) -> dict:
    """The form and results of a viewer who is not a student: the same for everyone, per query (one cache read)."""
    # Signed-in mentors and staff see a sentence of their own instead of the invitation to log in.
    viewer = "member" if request.user.is_authenticated else "visitor"
    return page_cache.cached(
        version,
        [viewer, page_cache.query_fingerprint(request)],
        lambda: _filters_and_results(request, None, version, selectors.filter_options()),
    )


def _filters_and_results(request: HttpRequest, student, version: str | None, options: selectors.FilterOptions) -> dict:
    knows_place = bool(student and student.state)
    filters, page_number, filters_html, relaxations = page_cache.cached(
        version,
        ["filters", str(student is not None), str(knows_place), page_cache.query_fingerprint(request)],
        lambda: _parse_filters(request, options, is_student=student is not None, knows_place=knows_place),
    )
    if student is not None and filters.sort == "for_you":
        page = serving.for_you_page(
            cast(User, request.user),  # a student (student facts above): signed in
            filters=filters,
            student=student,
            page=page_number,
            at=timezone.now(),
            options=options,
        )
    else:
        page = selectors.mentor_search_page(
            filters=filters, student=student, page=page_number, at=timezone.now(), options=options
        )
    context = {
        "page": page,
        "cards": page_cache.mentor_cards(version, page.results),
        "student": student,
        "sorted_by_match": student is not None and filters.sort == "best",
        "relaxations": relaxations,
    }
    results_html = render_to_string("matching/search.html#results", context, request=request)
    return {"filters_html": filters_html, "results_html": results_html}


def _parse_filters(
    request: HttpRequest, options: selectors.FilterOptions, *, is_student: bool, knows_place: bool
) -> tuple:
    """(filters, page number, the form's HTML, the ways out of an empty result) for the query string."""
    form = MentorSearchForm(request.GET, options=options, is_student=is_student, knows_place=knows_place)
    filters_html = render_to_string("matching/search.html#filters", {"form": form})
    return form.search_filters(), form.page_number(), filters_html, _relaxations(request, form)


def _relaxations(request: HttpRequest, form: MentorSearchForm) -> list[tuple[str, str]]:
    """(what to drop, the search without it) for every active filter: the ways out of an empty result."""
    relaxed = []
    for name, shown in form.active_filters():
        query = request.GET.copy()
        query.pop(name, None)
        query.pop("page", None)
        relaxed.append((shown, query.urlencode()))
    return relaxed


@require_GET
@login_required
def term_suggestions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Suggested terms for a profile list field while it is typed (HTMX): buttons that add a term, or `<option>`s
    for a datalist."""
    form = TermSuggestionsForm(request.GET)
    if not form.is_valid():
        return render(request, "matching/_term_suggestions.html", {"errors": form.errors}, status=400)
    options = form.cleaned_data["format"] == "options"
    terms = selectors.term_suggestions(
        context=selectors.suggestion_context(request.user, form.cleaned_data["audience"]),
        vocabulary=form.cleaned_data["vocabulary"],
        text=form.typed_text(request.GET),
        limit=selectors.DATALIST_SUGGESTIONS if options else selectors.SUGGESTIONS_SHOWN,
    )
    return render(
        request,
        "matching/_term_suggestions.html",
        {"terms": terms, "options": options, "target": form.cleaned_data["target"]},
    )
