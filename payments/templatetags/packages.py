"""Packages and credits on pages that other apps render (the mentor's public profile, the student's dashboard)."""

from django import template

from payments.packages import packages_on_sale, student_packages
from payments.scholarships import scholarship_balance_paise

register = template.Library()


@register.simple_tag
def mentor_packages(mentor_user_id: int) -> list:
    return list(packages_on_sale(mentor_user_id))


@register.simple_tag
def student_credit_summary(student) -> dict:
    """Remaining package sessions and scholarship credits, for the student's dashboard (two queries)."""
    return {
        "packages": [purchase for purchase in student_packages(student) if purchase.remaining],  # type: ignore[attr-defined]
        "scholarship_paise": scholarship_balance_paise(student),
    }
