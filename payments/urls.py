from django.urls import path

from payments import offer_views, views

app_name = "payments"

urlpatterns = [
    path("payments/<int:payment_id>/checkout/", views.checkout, name="checkout"),
    path("payments/<int:payment_id>/callback/", views.callback, name="callback"),
    path("payments/<int:payment_id>/test-checkout/", views.test_checkout, name="test_checkout"),
    path("payments/history/", views.history, name="history"),
    path("payments/invoices/<int:invoice_id>/pdf/", views.invoice_download, name="invoice_download"),
    path("payments/earnings/", views.earnings, name="earnings"),
    path("payments/earnings.csv", views.earnings_csv, name="earnings_csv"),
    path("payments/statements/", views.statement_request, name="statement_request"),
    path("payments/statements/<int:statement_id>/pdf/", views.statement_download, name="statement_download"),
    path("payments/you-earn/", views.you_earn, name="you_earn"),
    path("payments/payout-details/", views.payout_details, name="payout_details"),
    path("payments/payouts/request/", views.payout_request_view, name="payout_request"),
    path("mentor-dashboard/packages/", offer_views.packages_manage, name="packages_manage"),
    path("mentor-dashboard/packages/<int:package_id>/edit/", offer_views.package_edit, name="package_edit"),
    path("mentor-dashboard/packages/<int:package_id>/toggle/", offer_views.package_toggle, name="package_toggle"),
    path("packages/<int:package_id>/", offer_views.package_detail, name="package_detail"),
    path("payments/credits/", offer_views.credits, name="credits"),
    path("payments/family-scholarships/", offer_views.family_scholarships, name="family_scholarships"),
    path("payments/scholarships/", offer_views.scholarships_staff, name="scholarships"),
    # Seed 000 §4.1: the gateway posts here; the path is registered in the Razorpay dashboard.
    path("api/payments/webhook/", views.webhook, name="webhook"),
]
