from django.conf import settings
from django.contrib.postgres.fields import ArrayField
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
        SPONSOR_FUND = "sponsor_fund", _("Scholarships funded by a sponsor")
        SCHOLARSHIP_CREDIT = "scholarship_credit", _("Scholarship credit a student can spend")
        PROMOTIONS = "promotions", _("Discounts the platform pays for")
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
        SCHOLARSHIP_GRANT = "scholarship_grant", _("Scholarship granted")
        CREDITS_APPLIED = "credits_applied", _("Credits and discounts applied to a booking")
        CREDITS_RETURNED = "credits_returned", _("Credits and discounts returned")
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
    charge = models.ForeignKey(
        "Charge",
        verbose_name=_("charge"),
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


class PayoutRun(models.Model):
    """One weekly payout run (the job for one ISO week): which mentors it paid and what it skipped."""

    week_start = models.DateField(_("week starting"), unique=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    counts = models.JSONField(_("counts"), default=dict)

    class Meta:
        ordering = ["-week_start"]
        verbose_name = _("payout run")
        verbose_name_plural = _("payout runs")

    def __str__(self) -> str:
        return f"{self.week_start:%G-W%V}"


class Payout(models.Model):
    """A transfer of a mentor's available balance to their bank account through RazorpayX.

    ``pending`` is ours alone (recorded, not yet accepted by RazorpayX); ``queued`` and ``processing`` are
    RazorpayX's in-flight states; ``processed`` is final unless the bank sends the money back (``reversed``);
    ``failed`` (RazorpayX's failed, rejected or cancelled) is final.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Being sent")
        QUEUED = "queued", _("Queued")
        PROCESSING = "processing", _("Processing")
        PROCESSED = "processed", _("Paid out")
        REVERSED = "reversed", _("Reversed")
        FAILED = "failed", _("Failed")

    IN_FLIGHT = (Status.PENDING, Status.QUEUED, Status.PROCESSING)
    RETRYABLE = (Status.FAILED, Status.REVERSED)

    class Origin(models.TextChoices):
        WEEKLY = "weekly", _("Weekly run")
        REQUESTED = "requested", _("Requested by the mentor")
        RETRY = "retry", _("Retry by staff")
        FINAL = "final", _("Final payout before account deletion")

    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("mentor"), on_delete=models.PROTECT, related_name="payouts"
    )
    amount_paise = models.BigIntegerField(_("amount (paise)"))
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, unique=True)
    origin = models.CharField(_("origin"), max_length=16, choices=Origin.choices, default=Origin.WEEKLY)
    run = models.ForeignKey(
        PayoutRun,
        verbose_name=_("weekly run"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payouts",
    )
    retry_of = models.OneToOneField(
        "self",
        verbose_name=_("retry of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="retry",
        help_text=_("The failed or reversed payout this one pays again (each is retried at most once)."),
    )
    fund_account_id = models.CharField(_("RazorpayX fund account"), max_length=64, blank=True)
    razorpay_payout_id = models.CharField(_("Razorpay payout id"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    utr = models.CharField(_("UTR"), max_length=64, blank=True, help_text=_("The bank's reference for the transfer."))
    failure_reason = models.CharField(_("failure reason"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed or reversed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        constraints = [
            models.CheckConstraint(condition=Q(amount_paise__gt=0), name="payments_payout_amount_positive"),
            # One payout on its way per mentor at a time: two requests at once can never both be sent.
            models.UniqueConstraint(
                fields=["mentor"],
                condition=Q(status__in=["pending", "queued", "processing"]),
                name="payments_payout_one_in_flight_per_mentor",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="payments_payout_status_idx"),
            models.Index(fields=["mentor", "-created_at"], name="payments_payout_mentor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} · {self.amount_paise} · {self.get_status_display()}"

    @property
    def in_flight(self) -> bool:
        return self.status in self.IN_FLIGHT


class PayoutEvent(models.Model):
    """The audit trail of one payout: what happened to it, who or what said so, when and why. Append-only."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        STATUS = "status", _("Status changed")
        RETRIED = "retried", _("Retried")
        MISMATCH = "mismatch", _("Gateway disagrees")

    class Source(models.TextChoices):
        SYSTEM = "system", _("PeerLearn")
        GATEWAY = "gateway", _("RazorpayX reply")
        WEBHOOK = "webhook", _("RazorpayX webhook")
        RECONCILIATION = "reconciliation", _("Reconciliation")
        STAFF = "staff", _("Staff")
        MENTOR = "mentor", _("Mentor")

    payout = models.ForeignKey(Payout, verbose_name=_("payout"), on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    status = models.CharField(_("status"), max_length=16, choices=Payout.Status.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("payout event")
        verbose_name_plural = _("payout events")

    def __str__(self) -> str:
        return f"{self.payout_id} · {self.get_kind_display()} · {self.status}"


class PayoutHold(models.Model):
    """Staff stop a mentor's payouts (a dispute, a fraud review) until they release the hold. The mentor sees why."""

    class Reason(models.TextChoices):
        DISPUTE = "dispute", _("A dispute about a session is open")
        FRAUD_REVIEW = "fraud_review", _("Account under review")
        BANK_DETAILS = "bank_details", _("Payout details need checking")
        OTHER = "other", _("Other")

    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("mentor"), on_delete=models.PROTECT, related_name="payout_holds"
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    note = models.CharField(
        _("message to the mentor"), max_length=500, help_text=_("Shown to the mentor on their earnings page.")
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("placed by"), on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(_("placed at"), auto_now_add=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("released by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    release_note = models.CharField(_("release note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        verbose_name = _("payout hold")
        verbose_name_plural = _("payout holds")
        constraints = [
            models.UniqueConstraint(
                fields=["mentor"], condition=Q(released_at__isnull=True), name="payments_payout_hold_one_active"
            ),
            models.CheckConstraint(
                condition=Q(released_at__isnull=True) | Q(released_by__isnull=False),
                name="payments_payout_hold_released_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} · {self.get_reason_display()}"

    @property
    def active(self) -> bool:
        return self.released_at is None


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


# --- packages, scholarship credits and coupons ------------------------------------------------------------------


class Package(models.Model):
    """A mentor's bundle of sessions sold at once (e.g. 4 × 60 min at 10 % off, valid 90 days)."""

    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("mentor"), on_delete=models.PROTECT, related_name="packages"
    )
    title = models.CharField(_("title"), max_length=120)
    sessions_count = models.PositiveSmallIntegerField(_("number of sessions"))
    duration_minutes = models.PositiveSmallIntegerField(_("minutes per session"))
    price_paise = models.BigIntegerField(_("price (paise)"))
    validity_days = models.PositiveSmallIntegerField(_("valid for (days)"), default=90)
    is_active = models.BooleanField(_("on sale"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["mentor", "sessions_count", "id"]
        verbose_name = _("package")
        verbose_name_plural = _("packages")
        constraints = [
            models.CheckConstraint(condition=Q(price_paise__gte=MINIMUM_AMOUNT_PAISE), name="payments_package_price"),
            models.CheckConstraint(condition=Q(sessions_count__gte=2), name="payments_package_sessions"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.mentor})"


class PackagePurchase(models.Model):
    """A student's package: prepaid credits held in escrow (the package payment) until each session is done."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")

    package = models.ForeignKey(Package, verbose_name=_("package"), on_delete=models.PROTECT, related_name="purchases")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("student"), on_delete=models.PROTECT, related_name="packages_bought"
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("mentor"), on_delete=models.PROTECT, related_name="packages_sold"
    )
    sessions_count = models.PositiveSmallIntegerField(_("number of sessions"))
    duration_minutes = models.PositiveSmallIntegerField(_("minutes per session"))
    price_paise = models.BigIntegerField(_("price (paise)"))
    validity_days = models.PositiveSmallIntegerField(_("valid for (days)"))
    payment = models.OneToOneField(
        Payment,
        verbose_name=_("payment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="package_purchase",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    expired_at = models.DateTimeField(_("expired at"), null=True, blank=True)
    unused_refund_paise = models.BigIntegerField(_("refunded for unused sessions (paise)"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("package purchase")
        verbose_name_plural = _("package purchases")
        indexes = [
            models.Index(fields=["student", "status"], name="payments_pkgbuy_student_idx"),
            models.Index(fields=["status", "expires_at"], name="payments_pkgbuy_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.package} · {self.student} · {self.get_status_display()}"

    @property
    def credit_value_paise(self) -> int:
        """What one session of the package is worth; the paise left over by the division go with the last one."""
        return self.price_paise // self.sessions_count


class Coupon(models.Model):
    """A discount code. Platform coupons are the platform's cost; a mentor's coupon (``mentor`` set) applies only to
    their own sessions and its discount comes out of their share."""

    class Kind(models.TextChoices):
        PERCENT = "percent", _("Percentage")
        FLAT = "flat", _("Flat amount")

    code = models.CharField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    percent_off = models.PositiveSmallIntegerField(_("percent off"), null=True, blank=True)
    amount_off_paise = models.BigIntegerField(_("amount off (paise)"), null=True, blank=True)
    min_amount_paise = models.BigIntegerField(_("minimum price (paise)"), default=0)
    max_uses_total = models.PositiveIntegerField(_("uses in total"), null=True, blank=True)
    max_uses_per_user = models.PositiveIntegerField(_("uses per student"), default=1)
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mentor who offers it"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="own_coupons",
        help_text=_("Empty: a platform coupon. Set: the mentor's own coupon, for their sessions, at their cost."),
    )
    only_mentors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("only for sessions with"),
        blank=True,
        related_name="+",
        help_text=_("Empty: any mentor."),
    )
    only_levels = ArrayField(
        models.CharField(max_length=16),
        verbose_name=_("only for academic levels"),
        default=list,
        blank=True,
        help_text=_("Empty: any level."),
    )
    times_used = models.PositiveIntegerField(_("times used"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="percent", percent_off__gte=1, percent_off__lte=100, amount_off_paise__isnull=True)
                | Q(kind="flat", amount_off_paise__gte=100, percent_off__isnull=True),
                name="payments_coupon_kind_value",
            ),
            models.CheckConstraint(
                condition=Q(max_uses_total__isnull=True) | Q(times_used__lte=models.F("max_uses_total")),
                name="payments_coupon_within_total_limit",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class ScholarshipGrant(models.Model):
    """Credits worth an amount that a sponsor (an organisation's account, or the platform through staff) gives a
    student; bookings spend them before the student pays anything."""

    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sponsor"), on_delete=models.PROTECT, related_name="grants_funded"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("student"), on_delete=models.PROTECT, related_name="grants_received"
    )
    amount_paise = models.BigIntegerField(_("amount (paise)"))
    remaining_paise = models.BigIntegerField(_("remaining (paise)"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("granted by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("scholarship grant")
        verbose_name_plural = _("scholarship grants")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_paise__gte=MINIMUM_AMOUNT_PAISE)
                & Q(remaining_paise__gte=0)
                & Q(remaining_paise__lte=models.F("amount_paise")),
                name="payments_grant_remaining_within_amount",
            )
        ]
        indexes = [models.Index(fields=["student", "remaining_paise"], name="payments_grant_student_idx")]

    def __str__(self) -> str:
        return f"{self.sponsor} → {self.student}: {self.amount_paise}"


class Charge(models.Model):
    """What one purchase costs and how it is paid: list price, coupon discount, scholarship credits, a package
    credit, and the cash the student pays through Razorpay (``Payment``). Reservations count while the charge is
    open or settled; cancelling it gives them back."""

    class Status(models.TextChoices):
        OPEN = "open", _("Reserved, waiting for payment")
        SETTLED = "settled", _("Paid, in escrow")
        RELEASED = "released", _("Session done, paid out")
        CANCELLED = "cancelled", _("Cancelled")

    purpose = models.CharField(_("purpose"), max_length=32)
    reference_id = models.BigIntegerField(_("reference"))
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("payer"), on_delete=models.PROTECT, related_name="charges"
    )
    payee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("payee"), on_delete=models.PROTECT, related_name="+"
    )
    list_price_paise = models.BigIntegerField(_("price (paise)"))
    coupon = models.ForeignKey(
        Coupon, verbose_name=_("coupon"), null=True, blank=True, on_delete=models.PROTECT, related_name="charges"
    )
    discount_paise = models.BigIntegerField(_("discount (paise)"), default=0)
    discount_by_mentor = models.BooleanField(_("discount paid by the mentor"), default=False)
    scholarship_paise = models.BigIntegerField(_("scholarship credits (paise)"), default=0)
    package_purchase = models.ForeignKey(
        PackagePurchase,
        verbose_name=_("package"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="charges",
    )
    package_credit_paise = models.BigIntegerField(_("package credit (paise)"), default=0)
    cash_paise = models.BigIntegerField(_("paid by the student (paise)"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("charge")
        verbose_name_plural = _("charges")
        constraints = [
            models.UniqueConstraint(fields=["purpose", "reference_id"], name="payments_charge_once_per_reference"),
            models.CheckConstraint(
                condition=Q(
                    list_price_paise=models.F("discount_paise")
                    + models.F("scholarship_paise")
                    + models.F("package_credit_paise")
                    + models.F("cash_paise")
                ),
                name="payments_charge_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(
                    discount_paise__gte=0, scholarship_paise__gte=0, package_credit_paise__gte=0, cash_paise__gte=0
                ),
                name="payments_charge_parts_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["package_purchase", "status"], name="payments_charge_package_idx")]

    def __str__(self) -> str:
        return f"{self.purpose} #{self.reference_id}: {self.cash_paise}/{self.list_price_paise}"

    @property
    def in_escrow_paise(self) -> int:
        """The part of the price this charge itself put in the mentor's escrow (credits and platform discounts)."""
        return self.scholarship_paise + (0 if self.discount_by_mentor else self.discount_paise)


class CouponRedemption(models.Model):
    """One use of a coupon on a charge; it counts towards the limits until the charge is cancelled."""

    coupon = models.ForeignKey(Coupon, verbose_name=_("coupon"), on_delete=models.PROTECT, related_name="redemptions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="coupon_redemptions"
    )
    charge = models.OneToOneField(
        Charge, verbose_name=_("charge"), on_delete=models.PROTECT, related_name="coupon_redemption"
    )
    discount_paise = models.BigIntegerField(_("discount (paise)"))
    is_active = models.BooleanField(_("counts towards the limits"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("coupon use")
        verbose_name_plural = _("coupon uses")
        indexes = [models.Index(fields=["coupon", "user", "is_active"], name="payments_redemption_user_idx")]

    def __str__(self) -> str:
        return f"{self.coupon} · {self.user}"


class ScholarshipUse(models.Model):
    """How much of one grant a charge spent, so a sponsor can see which sessions they paid for."""

    grant = models.ForeignKey(ScholarshipGrant, verbose_name=_("grant"), on_delete=models.PROTECT, related_name="uses")
    charge = models.ForeignKey(Charge, verbose_name=_("charge"), on_delete=models.PROTECT, related_name="grant_uses")
    amount_paise = models.BigIntegerField(_("amount (paise)"))
    returned_paise = models.BigIntegerField(_("returned (paise)"), default=0)

    class Meta:
        verbose_name = _("scholarship use")
        verbose_name_plural = _("scholarship uses")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_paise__gt=0)
                & Q(returned_paise__gte=0)
                & Q(returned_paise__lte=models.F("amount_paise")),
                name="payments_grant_use_amounts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.grant_id} → {self.charge}: {self.amount_paise}"
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
