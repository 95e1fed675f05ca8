"""MentorPayoutDetails arrives from mentors (mentors/0003 renamed its table) with its rows, then:

- it points at the mentor's user instead of their mentor profile, like ``Payout`` (payments depends on accounts
  only); the key is carried over row by row;
- the encrypted columns are re-encrypted under their new context (``payments.mentorpayoutdetails.<column>``: the
  context is the model's label, bound into each ciphertext);
- its content type follows, so permissions, role groups and audit log entries keep pointing at it.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import accounts.fields

TABLE = "payments_mentorpayoutdetails"
ENCRYPTED_COLUMNS = ("bank_account_number", "ifsc", "upi_id", "pan")


def _recontext(schema_editor, old_label: str, new_label: str) -> None:
    from accounts.privacy.crypto import decrypt, encrypt, is_encrypted

    with schema_editor.connection.cursor() as cursor:
        columns = ", ".join(f'"{column}"' for column in ENCRYPTED_COLUMNS)
        cursor.execute(f'SELECT id, {columns} FROM "{TABLE}" FOR UPDATE')  # noqa: S608 (names are ours)
        for pk, *values in cursor.fetchall():
            updated = [
                encrypt(decrypt(value, context=f"{old_label}.{column}"), context=f"{new_label}.{column}")
                if value and is_encrypted(value)
                else value
                for column, value in zip(ENCRYPTED_COLUMNS, values, strict=True)
            ]
            assignments = ", ".join(f'"{column}" = %s' for column in ENCRYPTED_COLUMNS)
            cursor.execute(f'UPDATE "{TABLE}" SET {assignments} WHERE id = %s', [*updated, pk])  # noqa: S608


def recontext_forwards(apps, schema_editor):
    _recontext(schema_editor, "mentors.mentorpayoutdetails", "payments.mentorpayoutdetails")


def recontext_backwards(apps, schema_editor):
    _recontext(schema_editor, "payments.mentorpayoutdetails", "mentors.mentorpayoutdetails")


def _move_content_type(apps, old_app: str, new_app: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    old = ContentType.objects.filter(app_label=old_app, model="mentorpayoutdetails").first()
    if old is None or ContentType.objects.filter(app_label=new_app, model="mentorpayoutdetails").exists():
        return
    old.app_label = new_app
    old.save(update_fields=["app_label"])


def content_type_forwards(apps, schema_editor):
    _move_content_type(apps, "mentors", "payments")


def content_type_backwards(apps, schema_editor):
    _move_content_type(apps, "payments", "mentors")


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("mentors", "0003_move_payout_details_to_payments"),
        ("payments", "0006_invoices_and_credit_notes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="MentorPayoutDetails",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        ("account_holder_name", models.CharField(max_length=150, verbose_name="account holder name")),
                        (
                            "bank_account_number",
                            accounts.fields.EncryptedTextField(
                                blank=True, max_length=18, verbose_name="bank account number"
                            ),
                        ),
                        ("ifsc", accounts.fields.EncryptedTextField(blank=True, max_length=11, verbose_name="IFSC")),
                        (
                            "upi_id",
                            accounts.fields.EncryptedTextField(blank=True, max_length=100, verbose_name="UPI id"),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                        (
                            "mentor",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="payout_details",
                                to="mentors.mentorprofile",
                            ),
                        ),
                        ("pan", accounts.fields.EncryptedTextField(blank=True, max_length=10, verbose_name="PAN")),
                    ],
                    options={
                        "verbose_name": "payout details",
                        "verbose_name_plural": "payout details",
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(
                                        models.Q(("bank_account_number", ""), _negated=True),
                                        models.Q(("ifsc", ""), _negated=True),
                                    ),
                                    models.Q(("upi_id", ""), _negated=True),
                                    _connector="OR",
                                ),
                                name="payout_details_bank_or_upi",
                            )
                        ],
                    },
                ),
            ],
        ),
        # From the mentor profile to the mentor's user, keeping every row: nullable while the key is copied.
        migrations.AlterField(
            model_name="mentorpayoutdetails",
            name="mentor",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="payout_details",
                to="mentors.mentorprofile",
            ),
        ),
        migrations.AddField(
            model_name="mentorpayoutdetails",
            name="user",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="payout_details",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunSQL(
            sql=f"""
                UPDATE {TABLE} AS details SET user_id = profile.user_id
                FROM mentors_mentorprofile AS profile WHERE profile.id = details.mentor_id
            """,
            reverse_sql=f"""
                UPDATE {TABLE} AS details SET mentor_id = profile.id
                FROM mentors_mentorprofile AS profile WHERE profile.user_id = details.user_id
            """,
        ),
        migrations.RemoveField(model_name="mentorpayoutdetails", name="mentor"),
        migrations.RenameField(model_name="mentorpayoutdetails", old_name="user", new_name="mentor"),
        migrations.AlterField(
            model_name="mentorpayoutdetails",
            name="mentor",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="payout_details",
                to=settings.AUTH_USER_MODEL,
                verbose_name="mentor",
            ),
        ),
        migrations.RunPython(recontext_forwards, recontext_backwards),
        migrations.RunPython(content_type_forwards, content_type_backwards),
    ]
