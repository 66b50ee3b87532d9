"""An e-mail's action link through HTTP: a GET (a mail scanner, a preview) only shows what
it would do; the person's POST acts, once."""

from __future__ import annotations

from oaflow.notify.channels.recording import RecordingChannel
from oaflow.services import delivery

from .conftest import Server

COMPLAINT = {
    "title": "投诉：包装破损",
    "customer": "某公司",
    "complaint_type": "quality",
    "description": "外包装破损",
}
SMTP = {"host": "127.0.0.1", "port": 2525, "tls": "none", "sender": "oa@demo.oaflow.local"}


def test_a_get_changes_nothing_and_a_post_acts_once(api: Server) -> None:
    admin = api.signed_in("admin")
    made = {"name": "mail", "kind": "email", "settings": SMTP}
    assert admin.post("/api/channels", json=made).status_code == 201
    api.signed_in("csd.staff").post(
        "/api/instances", json={"process": "customer-complaint", "form": COMPLAINT}
    )
    recorder = RecordingChannel()
    delivery.deliver_due(api.app, lambda kind: recorder, api.app.now())
    [mail] = [d.message for d in recorder.deliveries if d.message.address.startswith("csd.head")]
    path = "/a/" + mail.link.rsplit("/a/", 1)[1]

    browser = api.client()  # the link itself is the credential: no session
    for _ in range(2):  # a scanner, then the person: nothing happens on a GET
        page = browser.get(path)
        assert page.status_code == 200 and '<form method="post">' in page.text
        assert "投诉受理确认" in page.text and "待接收" in page.text and "审批通过" in page.text
    head = api.signed_in("csd.head")
    assert head.get("/api/tasks").json()["items"][0]["state"] == "pending"

    done = browser.post(path)
    assert done.status_code == 200 and "已完成" in done.text
    assert head.get("/api/tasks").json()["total"] == 0  # approved: the task left the inbox
    again = browser.post(path)
    assert again.status_code in (404, 409) and "已完成" not in again.text
    forged = browser.get(path[:-4] + "abcd")
    assert forged.status_code in (400, 404) and "<form" not in forged.text
