"""Writes of the sessions app (see each module); import from here: `from sessions_app import services`."""

from sessions_app.services.booking import (
    PAYMENT_PURPOSE,
    Questionnaire,
    booking_hold_group_seat,
    booking_hold_one_to_one,
    booking_payment_expire,
    booking_start_payment,
    bookings_expire_holds,
    waitlist_join,
    waitlist_leave,
    waitlist_offer_seats,
)
from sessions_app.services.calendar import (
    calendar_feed_get_or_create,
    calendar_feed_regenerate,
)
from sessions_app.services.changes import (
    booking_cancel,
    booking_refund_now,
    booking_reschedule,
    reschedule_request_approve,
    reschedule_request_create,
    reschedule_request_reject,
    session_cancel,
)
from sessions_app.services.completion import (
    booking_mark_no_show,
    booking_refund_by_support,
    dispute_raise,
    dispute_resolve_complete,
    dispute_resolve_refund,
    session_complete,
    session_start,
    sessions_auto_complete,
)
from sessions_app.services.group import (
    GroupSessionData,
    group_session_create,
    group_session_publish,
    group_session_update,
)
from sessions_app.services.notify import (
    notify_booking_event,
    notify_dispute,
    notify_hosted_session_event,
    reminders_send_due,
)
from sessions_app.services.payment_events import BookingPaymentHandler

__all__ = [
    "PAYMENT_PURPOSE",
    "BookingPaymentHandler",
    "GroupSessionData",
    "Questionnaire",
    "booking_cancel",
    "booking_hold_group_seat",
    "booking_hold_one_to_one",
    "booking_mark_no_show",
    "booking_payment_expire",
    "booking_refund_by_support",
    "booking_refund_now",
    "booking_reschedule",
    "booking_start_payment",
    "bookings_expire_holds",
    "calendar_feed_get_or_create",
    "calendar_feed_regenerate",
    "dispute_raise",
    "dispute_resolve_complete",
    "dispute_resolve_refund",
    "group_session_create",
    "group_session_publish",
    "group_session_update",
    "notify_booking_event",
    "notify_dispute",
    "notify_hosted_session_event",
    "reminders_send_due",
    "reschedule_request_approve",
    "reschedule_request_create",
    "reschedule_request_reject",
    "session_cancel",
    "session_complete",
    "session_start",
    "sessions_auto_complete",
    "waitlist_join",
    "waitlist_leave",
    "waitlist_offer_seats",
]
