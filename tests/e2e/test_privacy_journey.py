"""A student downloads everything PeerLearn holds about them, then asks to delete the account, then changes
their mind by signing in again."""

import json
import re
import zipfile

import pytest
from playwright.sync_api import expect

from accounts.models import AccountDeletion, DataExport
from tests.accounts.browser import ensure_languages, keep_english
from tests.factories import student_with_profile
from tests.mentors.browser import log_in

pytestmark = pytest.mark.e2e


def test_student_downloads_their_data_then_requests_deletion_and_keeps_the_account_by_signing_in(
    page, live_server, tmp_path
):
    ensure_languages()
    student = student_with_profile(user_fields={"full_name": "Farah Siddiqui", "email": "farah@example.test"})
    keep_english(page, live_server)
    log_in(page, student.email)

    page.get_by_role("link", name="Privacy").first.click()
    expect(page.get_by_role("heading", name="Privacy and your data")).to_be_visible()
    page.get_by_role("button", name="Prepare my data").click()
    expect(page.get_by_text("We are preparing your data")).to_be_visible()
    assert DataExport.objects.get(user=student).status == DataExport.Status.READY

    [message] = [m for m in live_server.outbox() if "farah@example.test" in m["To"]]
    link = re.search(r"https?://\S+/privacy/export/\S+/", message.get_body(("plain",)).get_content()).group(0)
    with page.expect_download() as download_info:
        page.evaluate("url => { window.location.href = url }", link)
    saved = tmp_path / "my-data.zip"
    download_info.value.save_as(saved)
    with zipfile.ZipFile(saved) as bundle:
        account = json.loads(bundle.read("account.json"))
        assert account["account"]["email"] == "farah@example.test"
        assert {"sessions.json", "payments.json", "mentor.json"} <= set(bundle.namelist())

    page.goto("/privacy/")
    page.get_by_role("link", name="Delete my account").click()
    page.get_by_label("Password").fill("Str0ng!Passw0rd")
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator("#id_confirm_error")).to_contain_text("Tick the box")
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("Your account will be deleted on")).to_be_visible()
    assert AccountDeletion.objects.get(user=student).status == AccountDeletion.Status.SCHEDULED

    log_in(page, student.email)
    expect(page.get_by_text("Your account will not be deleted")).to_be_visible()
    assert AccountDeletion.objects.get(user=student).status == AccountDeletion.Status.CANCELLED
