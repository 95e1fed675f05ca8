from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.fields import EncryptedTextField
from accounts.privacy.crypto import mask

MINIMUM_AMOUNT_PAISE = 100


class Payment(models.Model):
    """One Razorpay order we created, and what became of it.

    A payment belongs to a *purpose* (``booking``, ``tip``, …) and a reference inside the app that owns that purpose;
    that app registers a handler (``payments.registry``) which is told about captures, failures and refunds.
    """

    class Status(models.TextChoices):
        CREATED = "created", _("Awaiting payment")
        AUTHORIZED = "authorized", _("Authorised")
        CAPTURED = "captured", _("Paid")
        FAILED = "failed", _("Failed")

    class Gateway(models.TextChoices):
        RAZORPAY = "razorpay", _("Razorpay")
        OFFLINE = "offline", _("Test mode (offline)")

    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("payer"), on_delete=models.PROTECT, related_name="payments_made"
    )
    payee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("payee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments_received",
        help_text=_("The mentor whose earnings this payment becomes."),
    )
    purpose = models.CharField(_("purpose"), max_length=32)
    reference_id = models.BigIntegerField(_("reference"))
    description = models.CharField(_("description"), max_length=255)
    amount_paise = models.BigIntegerField(_("amount (paise)"))
    currency = models.CharField(_("currency"), max_length=3, default="INR")
    holds_in_escrow = models.BooleanField(
        _("held in escrow"), default=True, help_text=_("Tips go straight to the mentor; everything else waits.")
    )
    gateway = models.CharField(_("gateway"), max_length=16, choices=Gateway.choices, default=Gateway.RAZORPAY)
    receipt = models.CharField(_("receipt"), max_length=40, unique=True)
    razorpay_order_id = models.CharField(_("Razorpay order id"), max_length=64, unique=True)
    razorpay_payment_id = models.CharField(_("Razorpay payment id"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.CREATED)
    method = models.CharField(_("payment method"), max_length=32, blank=True)
    failure_reason = models.CharField(_("failure reason"), max_length=255, blank=True)
    refunded_paise = models.BigIntegerField(_("refunded (paise)"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    captured_at = models.DateTimeField(_("captured at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    released_at = models.DateTimeField(
        _("escrow released at"), null=True, blank=True, help_text=_("When the session was completed.")
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_paise__gte=MINIMUM_AMOUNT_PAISE), name="payments_payment_amount_minimum"
            ),
            models.CheckConstraint(
                condition=Q(refunded_paise__gte=0) & Q(refunded_paise__lte=models.F("amount_paise")),
                name="payments_payment_refunded_within_amount",
            ),
            models.UniqueConstraint(
                fields=["razorpay_payment_id"],
                condition=~Q(razorpay_payment_id=""),
                name="payments_payment_razorpay_payment_id_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["purpose", "reference_id"], name="payments_purpose_ref_idx"),
            models.Index(fields=["payer", "-created_at"], name="payments_payer_created_idx"),
            models.Index(fields=["status", "created_at"], name="payments_status_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.razorpay_order_id} · {self.purpose} #{self.reference_id} · {self.get_status_display()}"


class Refund(models.Model):
    """A refund we asked Razorpay for; pending until the ``refund.processed`` webhook (or reconciliation) says so."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PROCESSED = "processed", _("Refunded")
        FAILED = "failed", _("Failed")

    class Kind(models.TextChoices):
        """Why the money goes back, as the student reads it (``reason`` is the internal note)."""

        CANCELLATION = "cancellation", _("Session cancelled")
        MENTOR_NO_SHOW = "mentor_no_show", _("The mentor did not join")
        UNUSED = "unused", _("Payment not needed: already paid, or the place was gone")
        SUPPORT = "support", _("Refund by support")
        OTHER = "other", _("Refund")

    payment = models.ForeignKey(Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="refunds")
    amount_paise = models.BigIntegerField(_("amount (paise)"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    reason = models.CharField(_("reason"), max_length=255)
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, unique=True)
    razorpay_refund_id = models.CharField(_("Razorpay refund id"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    failure_reason = models.CharField(_("failure reason"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [
            models.CheckConstraint(condition=Q(amount_paise__gt=0), name="payments_refund_amount_positive"),
            models.UniqueConstraint(
                fields=["razorpay_refund_id"],
                condition=~Q(razorpay_refund_id=""),
                name="payments_refund_razorpay_refund_id_unique",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="payments_refund_status_idx")]

    def __str__(self) -> str:
        return f"{self.razorpay_refund_id or self.idempotency_key} · {self.amount_paise} · {self.get_status_display()}"


class WebhookEvent(models.Model):
    """Every signed webhook Razorpay delivered, stored before it is processed (at-least-once, unordered)."""

    class Outcome(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Ignored")
        DEFERRED = "deferred", _("Waiting for an earlier event")
        ERROR = "error", _("Error")

    event_id = models.CharField(_("event id"), max_length=64, unique=True)
    event = models.CharField(_("event"), max_length=64)
    payload = models.JSONField(_("payload"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.RECEIVED)
    error = models.TextField(_("error"), blank=True)
    delivery_count = models.PositiveIntegerField(_("deliveries"), default=1)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")

    def __str__(self) -> str:
        return f"{self.event} {self.event_id} ({self.get_outcome_display()})"


class LedgerAccount(models.Model):
    """An account of the double-entry ledger. Per-mentor kinds carry the mentor as ``owner``."""

    class Kind(models.TextChoices):
        GATEWAY = "gateway", _("Money held by the payment gateway")
        ESCROW = "escrow", _("Escrow (held until the session is completed)")
        MENTOR_PAYABLE = "mentor_payable", _("Owed to the mentor")
        PLATFORM_REVENUE = "platform_revenue", _("Platform revenue")
        REFUNDS_PAYABLE = "refunds_payable", _("Refunds on their way to students")
        PAYOUTS_IN_TRANSIT = "payouts_in_transit", _("Payouts on their way to mentors")
        TDS_PAYABLE = "tds_payable", _("Income tax withheld from the mentor (TDS), owed to the government")

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_accounts",
    )

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "owner"], nulls_distinct=False, name="payments_ledger_account_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.owner}" if self.owner_id else str(self.get_kind_display())


class LedgerTransaction(models.Model):
    """A balanced movement of money: its entries sum to zero (checked by a deferred trigger in PostgreSQL)."""

    class Kind(models.TextChoices):
        CAPTURE = "capture", _("Payment received")
        TIP = "tip", _("Tip received")
        RELEASE = "release", _("Session completed: escrow released")
        REFUND = "refund", _("Refund")
        REFUND_SETTLED = "refund_settled", _("Refund paid out")
        REFUND_REVERSAL = "refund_reversal", _("Refund failed: reversed")
        PAYOUT = "payout", _("Payout")
        PAYOUT_SETTLED = "payout_settled", _("Payout completed")
        PAYOUT_REVERSAL = "payout_reversal", _("Payout failed: reversed")
        TDS = "tds", _("Income tax deducted at source")
        TDS_REVERSAL = "tds_reversal", _("Tax deducted at source given back")

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    payment = models.ForeignKey(
        Payment,
        verbose_name=_("payment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_transactions",
    )
    refund = models.ForeignKey(
        Refund,
        verbose_name=_("refund"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_transactions",
    )
    payout = models.ForeignKey(
        "Payout",
        verbose_name=_("payout"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_transactions",
    )
    memo = models.CharField(_("memo"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        constraints = [
            # A payment is received at most once, and each refund or payout moves through each step once.
            models.UniqueConstraint(
                fields=["payment", "kind"],
                condition=Q(kind__in=["capture", "tip"]),
                name="payments_ledger_once_per_payment",
            ),
            models.UniqueConstraint(
                fields=["refund", "kind"], condition=Q(refund__isnull=False), name="payments_ledger_once_per_refund"
            ),
            models.UniqueConstraint(
                fields=["payout", "kind"], condition=Q(payout__isnull=False), name="payments_ledger_once_per_payout"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class LedgerEntry(models.Model):
    """One leg of a transaction: positive amounts are debits, negative amounts credits (paise)."""

    transaction = models.ForeignKey(
        LedgerTransaction, verbose_name=_("transaction"), on_delete=models.PROTECT, related_name="entries"
    )
    account = models.ForeignKey(
        LedgerAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="entries"
    )
    amount_paise = models.BigIntegerField(_("amount (paise)"))

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [models.CheckConstraint(condition=~Q(amount_paise=0), name="payments_ledger_entry_nonzero")]
        indexes = [models.Index(fields=["account", "transaction"], name="payments_entry_account_idx")]

    def __str__(self) -> str:
        return f"{self.account}: {self.amount_paise}"


class Payout(models.Model):
    """A transfer of a mentor's available balance to their bank account through RazorpayX."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PROCESSED = "processed", _("Paid out")
        FAILED = "failed", _("Failed")

    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("mentor"), on_delete=models.PROTECT, related_name="payouts"
    )
    amount_paise = models.BigIntegerField(_("amount (paise)"))
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, unique=True)
    fund_account_id = models.CharField(_("RazorpayX fund account"), max_length=64, blank=True)
    razorpay_payout_id = models.CharField(_("Razorpay payout id"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    failure_reason = models.CharField(_("failure reason"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        constraints = [models.CheckConstraint(condition=Q(amount_paise__gt=0), name="payments_payout_amount_positive")]

    def __str__(self) -> str:
        return f"{self.mentor} · {self.amount_paise} · {self.get_status_display()}"


class MentorPayoutDetails(models.Model):
    """Where a mentor's payouts go: a bank account (with IFSC) or a UPI id, and the PAN for tax deducted at source.

    Set only with two-factor sign-in on. Account number, IFSC, UPI id and PAN are encrypted at rest.
    """

    mentor = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("mentor"), on_delete=models.CASCADE, related_name="payout_details"
    )
    account_holder_name = models.CharField(_("account holder name"), max_length=150)
    bank_account_number = EncryptedTextField(_("bank account number"), max_length=18, blank=True)
    ifsc = EncryptedTextField(_("IFSC"), max_length=11, blank=True)
    upi_id = EncryptedTextField(_("UPI id"), max_length=100, blank=True)
    pan = EncryptedTextField(_("PAN"), max_length=10, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("payout details")
        verbose_name_plural = _("payout details")
        constraints = [
            models.CheckConstraint(
                condition=(~Q(bank_account_number="") & ~Q(ifsc="")) | ~Q(upi_id=""),
                name="payout_details_bank_or_upi",
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_holder_name} ({self.masked_destination})"

    @property
    def masked_destination(self) -> str:
        if self.bank_account_number:
            return f"A/c {mask(self.bank_account_number)} · {self.ifsc[:4]}•••••••"
        name, _at, bank = self.upi_id.partition("@")
        return f"{name[:2]}••••@{bank}"

    @property
    def masked_pan(self) -> str:
        return mask(self.pan)


def _private_storage():
    return storages["private"]


class InvoiceCounter(models.Model):
    """The last number issued in one series and financial year; its row is locked while the next one is taken, so
    numbers are gapless (a PostgreSQL sequence is not: a rolled-back transaction burns its value)."""

    series = models.CharField(_("series"), max_length=8)
    financial_year = models.CharField(_("financial year"), max_length=7)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("invoice counter")
        verbose_name_plural = _("invoice counters")
        constraints = [
            models.UniqueConstraint(fields=["series", "financial_year"], name="payments_invoice_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.series}/{self.financial_year}: {self.last_number}"


def invoice_pdf_path(invoice: "Invoice", filename: str) -> str:
    return f"invoices/{invoice.financial_year}/{filename}"


class Invoice(models.Model):
    """A tax invoice for a captured payment, or a credit note for a processed refund.

    Immutable once issued: ``data`` is the snapshot of every figure and name printed on it; only the rendered PDF
    is added later (by a Celery task).
    """

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Tax invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")

    MUTABLE_FIELDS = frozenset({"pdf", "pdf_rendered_at"})

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=32, unique=True)
    series = models.CharField(_("series"), max_length=8)
    financial_year = models.CharField(_("financial year"), max_length=7)
    sequence = models.PositiveIntegerField(_("sequence"))
    payment = models.ForeignKey(Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="invoices")
    refund = models.OneToOneField(
        Refund, verbose_name=_("refund"), null=True, blank=True, on_delete=models.PROTECT, related_name="credit_note"
    )
    original = models.ForeignKey(
        "self",
        verbose_name=_("original invoice"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("buyer"), on_delete=models.PROTECT, related_name="invoices"
    )
    language = models.CharField(_("language"), max_length=8)
    total_paise = models.BigIntegerField(_("total (paise)"))
    data = models.JSONField(_("snapshot"))
    issued_at = models.DateTimeField(_("issued at"))
    pdf = models.FileField(_("PDF"), upload_to=invoice_pdf_path, storage=_private_storage, blank=True, max_length=255)
    pdf_rendered_at = models.DateTimeField(_("PDF rendered at"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.UniqueConstraint(
                fields=["series", "financial_year", "sequence"], name="payments_invoice_sequence_unique"
            ),
            models.UniqueConstraint(
                fields=["payment"], condition=Q(kind="invoice"), name="payments_invoice_once_per_payment"
            ),
            models.CheckConstraint(
                condition=Q(kind="invoice", refund__isnull=True) | Q(kind="credit_note", refund__isnull=False),
                name="payments_invoice_credit_note_has_refund",
            ),
        ]
        indexes = [models.Index(fields=["buyer", "-issued_at"], name="payments_invoice_buyer_idx")]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        changes_issued = update_fields is None or not set(update_fields) <= self.MUTABLE_FIELDS
        if self.pk is not None and not kwargs.get("force_insert") and changes_issued:
            raise ValueError(f"Invoice {self.number} is issued and cannot change (only its PDF can be added).")
        super().save(*args, **kwargs)


def statement_pdf_path(statement: "MentorStatement", filename: str) -> str:
    return f"statements/{statement.month:%Y-%m}/{filename}"


class MentorStatement(models.Model):
    """A mentor's statement of one calendar month (India Standard Time): a snapshot of every figure printed, taken
    once the month is over (its ledger lines no longer change), and the PDF rendered from it by a Celery task."""

    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("mentor"), on_delete=models.PROTECT, related_name="statements"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    language = models.CharField(_("language"), max_length=8)
    data = models.JSONField(_("snapshot"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    pdf = models.FileField(_("PDF"), upload_to=statement_pdf_path, storage=_private_storage, blank=True, max_length=255)
    pdf_rendered_at = models.DateTimeField(_("PDF rendered at"), null=True, blank=True)

    class Meta:
        ordering = ["-month", "-id"]
        verbose_name = _("mentor statement")
        verbose_name_plural = _("mentor statements")
        constraints = [
            models.UniqueConstraint(fields=["mentor", "month"], name="payments_statement_once_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="payments_statement_month_starts_on_first"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} · {self.month:%Y-%m}"
