"""The SMS backends: the console one prints, the Twilio one speaks Twilio's Messages API (here to a local server
that answers as Twilio does) and raises when the message is refused, so the outbox retries it."""

import base64
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from accounts.sms import SmsError, TwilioSmsBackend, send_sms


class FakeTwilio(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 (http.server's API)
        body = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        auth = base64.b64decode(self.headers["Authorization"].removeprefix("Basic ")).decode()
        self.received.append({"path": self.path, "auth": auth, **{k: v[0] for k, v in body.items()}})
        if body["To"][0] == "+10000000000":
            self.send_response(400)
            self.end_headers()
            self.wfile.write(json.dumps({"code": 21211, "message": "Invalid 'To' Phone Number"}).encode())
            return
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"sid": "SM1", "status": "queued"}).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def twilio(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTwilio)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeTwilio.received = []
    settings.SMS_BACKEND = "accounts.sms.TwilioSmsBackend"
    settings.SMS_TWILIO_ACCOUNT_SID = "AC123"
    settings.SMS_TWILIO_AUTH_TOKEN = "secret"
    settings.SMS_FROM_NUMBER = "+15005550006"
    settings.SMS_TWILIO_API_URL = f"http://127.0.0.1:{server.server_port}"
    yield FakeTwilio.received
    server.shutdown()


def test_the_console_backend_prints_each_message(capsys, settings):
    settings.SMS_BACKEND = "accounts.sms.ConsoleSmsBackend"
    send_sms(to="+919812345678", body="PeerLearn: hello")
    assert capsys.readouterr().out == "SMS to +919812345678: PeerLearn: hello\n"


def test_twilio_gets_the_message_with_the_accounts_credentials(twilio):
    send_sms(to="+919812345678", body="PeerLearn: Booked")
    (request,) = twilio
    assert request["path"] == "/2010-04-01/Accounts/AC123/Messages.json"
    assert request["auth"] == "AC123:secret"
    assert (request["To"], request["From"], request["Body"]) == ("+919812345678", "+15005550006", "PeerLearn: Booked")


def test_a_refused_message_raises_so_the_outbox_retries_it(twilio):
    with pytest.raises(SmsError, match="400"):
        send_sms(to="+10000000000", body="x")


def test_twilio_without_an_account_is_refused_loudly(settings):
    settings.SMS_TWILIO_ACCOUNT_SID = ""
    with pytest.raises(SmsError):
        TwilioSmsBackend()
