"""The attachments field in the browser (static/js/attachments.js): files dropped onto it join
those chosen, each chosen file is listed with its size and a Remove button, and a large upload
shows its progress until the status page; a large upload that comes back with errors leaves a
working form that holds the file. At a phone's and a desktop's width."""

import re
import time

import pytest
from playwright.sync_api import expect

from sandbox.models import Ticket
from tests.browser.test_delivery import fill_required

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MB = 1024 * 1024


def drop(page, files: dict[str, int]) -> None:
    """Drop files (name -> bytes) onto the attachments field, as a file manager does."""
    page.locator("[data-file-limits]").evaluate(
        """(zone, files) => {
            const transfer = new DataTransfer();
            for (const [name, size] of Object.entries(files)) {
                transfer.items.add(new File([new Uint8Array(size)], name, { type: "text/plain" }));
            }
            zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true, cancelable: true }));
            zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
        }""",
        files,
    )


def listed(page) -> list[str]:
    return [
        " ".join(item.inner_text().replace("\xa0", " ").split())
        for item in page.locator("[data-file-list] li").all()
    ]


@pytest.mark.parametrize("width", [390, 1280])
def test_dropped_files_are_listed_and_each_can_be_removed(
    browser, live_server, sandbox_api, axe_check, width
):
    context = browser.new_context(viewport={"width": width, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/forms/support/")
        expect(page.get_by_text("You can also drop files here.")).to_be_visible()
        page.get_by_label("Attachments").set_input_files(
            [{"name": "chosen.txt", "mimeType": "text/plain", "buffer": b"x" * 2048}]
        )
        drop(page, {"dropped.log": 1500, "second.log": 10})
        assert listed(page) == [
            "chosen.txt (2 kB) Remove chosen.txt",
            "dropped.log (1.5 kB) Remove dropped.log",
            "second.log (10 bytes) Remove second.log",
        ]
        axe_check(page, "three files chosen")
        page.get_by_role("button", name="Remove dropped.log").click()
        assert [line.split(" (")[0] for line in listed(page)] == ["chosen.txt", "second.log"]
        assert page.get_by_label("Attachments").evaluate("i => [...i.files].map(f => f.name)") == [
            "chosen.txt",
            "second.log",
        ]
        fill_required(page, title="Two files, one dropped")
        page.get_by_role("button", name="Send").click()
        page.wait_for_selector("[data-unique-id]")
        names = sorted(f.name for f in Ticket.objects.get().files.all())
        assert names == ["chosen.txt", "second.log"]
    finally:
        context.close()


def test_the_list_speaks_the_pages_language(page, live_server, sandbox_api):
    page.goto(f"{live_server.url}/forms/support/?lang=ru")
    drop(page, {"отчёт.txt": int(1.5 * MB)})
    assert re.fullmatch(r"отчёт\.txt \(1,5\sМБ\) Убрать отчёт\.txt", listed(page)[0]), listed(page)


def slow_uploads(page) -> None:
    """About 1.5 MB a second up, as on a weak mobile connection."""
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 1.5 * MB,
    })  # fmt: skip


def test_a_large_upload_shows_its_progress_until_the_status_page(page, live_server, sandbox_api):
    page.goto(f"{live_server.url}/forms/support/")
    fill_required(page, title="A large log")
    page.get_by_label("Attachments").set_input_files(
        [{"name": "big.log", "mimeType": "text/plain", "buffer": b"L" * (3 * MB)}]
    )
    slow_uploads(page)
    page.get_by_role("button", name="Send").click()
    progress = page.get_by_label("Sending your files…")
    expect(progress).to_be_visible()
    until = time.monotonic() + 10
    while page.locator("progress").evaluate("p => p.value") == 0 and time.monotonic() < until:
        page.wait_for_timeout(50)
    assert page.locator("progress").evaluate("p => p.value") > 0
    expect(page.locator("[data-upload-said]")).to_have_text(re.compile(r"\d+% sent"))
    page.wait_for_selector("[data-unique-id]", timeout=30_000)
    assert "/tickets/" in page.url
    ticket = Ticket.objects.get()
    assert ticket.title == "A large log"
    assert [f.name for f in ticket.files.all()] == ["big.log"]


def test_a_large_upload_sent_back_with_errors_leaves_a_working_form(page, live_server, sandbox_api):
    page.goto(f"{live_server.url}/forms/support/")
    fill_required(page, title="")
    page.locator("form[data-ticket-form]").evaluate("f => f.noValidate = true")
    page.get_by_label("Attachments").set_input_files(
        [{"name": "big.log", "mimeType": "text/plain", "buffer": b"L" * (2 * MB)}]
    )
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator(".kept-files")).to_contain_text(
        "big.log"
    )  # held by the server: not sent again
    # The page's scripts run as on any page: the hierarchy's next level follows its choice.
    page.locator("#id_cf_100_0").select_option(value="")
    expect(page.locator("#id_cf_100_1")).to_be_hidden()
    page.locator("#id_cf_100_0").select_option(label="Payments")
    page.locator("#id_cf_100_1").select_option(label="Invoices")
    page.get_by_label("Subject").fill("Corrected")
    page.get_by_role("button", name="Send").click()
    page.wait_for_selector("[data-unique-id]")
    ticket = Ticket.objects.get()
    assert ticket.title == "Corrected"
    assert [f.name for f in ticket.files.all()] == ["big.log"]
