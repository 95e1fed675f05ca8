"""Payments: Razorpay orders and checkout, webhooks, refunds, the double-entry ledger, payouts, reconciliation.

For the apps that sell something (``payments`` imports none of them):

- ``payments.registry.register_purpose(purpose, handler)`` in ``AppConfig.ready``; the handler has
  ``on_captured(payment)``, ``on_failed(payment)``, ``on_refund_processed(payment, refund)``,
  ``return_url(payment) -> str`` and ``describe(payments, viewer=user) -> {id: PaymentSubject}``.
  The ``on_*`` methods run inside the transaction that changed the payment (row locked), once per real
  transition, in any order (a capture may follow a failure);
  they must not call Razorpay: schedule refunds and emails with ``transaction.on_commit``.
- ``payments.services.payment_create(...)`` then redirect to ``payments:checkout``; the payer comes back to
  ``handler.return_url(payment)`` with a message. ``payment_expire`` abandons an unpaid one,
  ``payment_refund`` refunds (idempotently), ``refundable_paise`` says how much still can be.
- ``payments.ledger.ledger_release_escrow(payment=...)`` when the session is completed (70 % to the mentor).
- ``payments.selectors.mentor_balances``, ``student_payment_history``; ``payments.earnings`` for what a mentor
  earned (``mentor_earnings_by_month``) and would earn at a price (``earnings_preview``).
- ``{% load money %}{{ paise|rupees }}`` formats paise as ₹ with Indian digit grouping.
"""
