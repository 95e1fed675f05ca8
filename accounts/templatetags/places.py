"""`{{ user.state|state_label }}`: a stored state or union territory in the reader's language."""

from django import template

from accounts.suggestions import state_label

register = template.Library()
register.filter("state_label", state_label)
