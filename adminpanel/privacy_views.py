"""Staff pages for privacy: the audit log search and the accounts waiting to be deleted."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from accounts.privacy import selectors
from adminpanel.permissions import staff_required
from adminpanel.privacy_forms import AuditLogFilterForm
from mentorship.htmx import render_page_or_partial
from mentorship.http import AuthenticatedHttpRequest

AUDIT_PAGE_SIZE = 50


@staff_required
def audit_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AuditLogFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.audit_log_search(**{name: value for name, value in filters.items() if value not in ("", None)})
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render_page_or_partial(request, "adminpanel/audit_log.html", "results", context)


@staff_required
def pending_deletions(request: AuthenticatedHttpRequest) -> HttpResponse:
    deletions = selectors.pending_deletions()
    return render(request, "adminpanel/pending_deletions.html", {"deletions": deletions})
