from django.urls import path

from adminpanel import analytics_views, payout_views, privacy_views, support_views, views

app_name = "adminpanel"

urlpatterns = [
    path("", views.home, name="home"),
    path("verification/", views.verification_queue, name="verification_queue"),
    path("verification/<int:mentor_id>/", views.application, name="application"),
    path("verification/<int:mentor_id>/action/", views.application_action, name="application_action"),
    path("documents/<str:token>/", views.document, name="document"),
    path("support/", support_views.ticket_queue, name="ticket_queue"),
    path("support/<int:ticket_id>/", support_views.ticket, name="ticket"),
    path("support/<int:ticket_id>/reply/", support_views.ticket_reply, name="ticket_reply"),
    path("support/<int:ticket_id>/assign/", support_views.ticket_assign, name="ticket_assign"),
    path("support/<int:ticket_id>/priority/", support_views.ticket_priority, name="ticket_priority"),
    path("support/<int:ticket_id>/escalate/", support_views.ticket_escalate, name="ticket_escalate"),
    path("support/<int:ticket_id>/close/", support_views.ticket_close, name="ticket_close"),
    path("users/<int:user_id>/", support_views.user_account, name="user_account"),
    path("quality/", support_views.quality_queue, name="quality_queue"),
    path("quality/<int:review_id>/", support_views.quality_review, name="quality_review"),
    path("feedback/", support_views.feedback_list, name="feedback"),
    path("analytics/", analytics_views.analytics, name="analytics"),
    path("moderation/", support_views.moderation_queue, name="moderation_queue"),
    path("moderation/<int:report_id>/", support_views.moderation_report, name="moderation_report"),
    path(
        "moderation/<int:report_id>/images/<int:message_id>/",
        support_views.moderation_image,
        name="moderation_image",
    ),
    path("invoices/", views.invoice_search, name="invoice_search"),
    path("payouts/", payout_views.payouts, name="payouts"),
    path("payouts/<int:payout_id>/", payout_views.payout, name="payout"),
    path("payouts/<int:payout_id>/retry/", payout_views.payout_retry_view, name="payout_retry"),
    path("payouts/holds/", payout_views.payout_hold, name="payout_hold"),
    path("payouts/holds/<int:hold_id>/release/", payout_views.payout_hold_release_view, name="payout_hold_release"),
    path("audit/", privacy_views.audit_log, name="audit_log"),
    path("deletions/", privacy_views.pending_deletions, name="pending_deletions"),
]
