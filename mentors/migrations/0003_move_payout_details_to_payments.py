"""MentorPayoutDetails moves to payments (payments/0007_mentor_payout_details): the table is renamed here and the
model leaves this app's state; payments adds it to its own state on the same, kept rows."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("mentors", "0002_encrypt_payout_details"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="mentorpayoutdetails", table="payments_mentorpayoutdetails"),
            ],
            state_operations=[
                migrations.DeleteModel(name="MentorPayoutDetails"),
            ],
        ),
    ]
