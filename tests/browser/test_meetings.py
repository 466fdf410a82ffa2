"""A meeting's cycle in a real browser (Playwright driving Debian's Chromium), as the secretariat (UNOCT)
on the default structure: a meeting of working group 3 added through the form in Tokyo time, an agenda
item, a decision adopted by INTERPOL with an action item for UNDP, and the decision on the register. A
member of the group whose time zone is New York sees the meeting's time in hers too. The meeting page is
also opened in Arabic (right to left, nothing wider than the window), and the Arabic and Chinese packs are
fetched as PDFs (and drawn as PNG when poppler's ``pdftoppm`` is there, for a person to look at).
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

WIDTH = 1280


@pytest.fixture
def site(transactional_db, live_server, make_user):
    from compact.meetings.models import Preference
    from compact.registry.services import load_default_structure

    load_default_structure(reason="browser test")
    make_user("sara", entity="UNOCT", secretariat=True)
    nadia = make_user("nadia", entity="UNODA")  # a member (vice-chair) of working group 3
    Preference.objects.create(user=nadia, time_zone="America/New_York")
    return live_server.url


def _sign_in(browser, site, username):
    from support.people import PASSWORD

    page = browser.new_context(viewport={"width": WIDTH, "height": 900}).new_page()
    page.goto(f"{site}/account/login/?lang=en")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page


def _submit(page, name):
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()


def test_a_meeting_from_the_form_to_the_register(site, browser, tmp_path):
    sara = _sign_in(browser, site, "sara")
    outside = []
    sara.on("request", lambda request: outside.append(request.url) if not request.url.startswith(site) else None)

    sara.goto(f"{site}/working-groups/3/")
    sara.get_by_role("link", name="Meetings of the working group").click()
    sara.wait_for_load_state()
    sara.get_by_role("link", name="Add a meeting").click()
    sara.wait_for_load_state()
    sara.fill("#id_title_en", "Tokyo consultations")
    sara.select_option("#id_time_zone", "America/New_York")  # 02:30 on 9 March 2025 did not exist there
    sara.fill("#id_start_date", "2025-03-09")
    sara.fill("#id_start_time", "02:30")
    sara.fill("#id_end_time", "04:00")
    _submit(sara, "Save")
    assert "2025-03-09 02:30 does not exist in America/New_York" in sara.locator("#start_time-errors").inner_text()
    sara.screenshot(path=str(tmp_path / "meeting-form-error.png"), full_page=True)
    sara.select_option("#id_time_zone", "Asia/Tokyo")
    sara.fill("#id_start_date", "2025-03-10")
    sara.fill("#id_start_time", "09:00")
    sara.fill("#id_end_time", "11:00")
    sara.fill("#id_venue", "United Nations University")
    _submit(sara, "Save")
    facts = sara.locator(".meeting-facts").inner_text()
    assert "2025-03-10 09:00–11:00" in facts and "JST" in facts and "UTC+09:00" in facts
    meeting_url = sara.url

    sara.get_by_role("link", name="Add an agenda item").click()
    sara.fill("#id_title_en", "Cyber threats to critical infrastructure")
    sara.select_option("#id_expected_outcome", "decision")
    sara.select_option("#id_presenter", label="INTERPOL")
    _submit(sara, "Save")
    agenda = sara.locator("#agenda").inner_text()
    assert "2. Cyber threats to critical infrastructure" in agenda and "for decision" in agenda

    sara.get_by_role("link", name="Record a decision").click()
    sara.fill("#id_title_en", "Joint threat assessment")
    sara.fill("#id_text_en", "The group will publish a joint assessment of cyber threats.")
    sara.select_option("#id_agenda_item", label="2. Cyber threats to critical infrastructure")
    sara.get_by_label("INTERPOL", exact=True).check()
    _submit(sara, "Record the decision")
    assert sara.url.endswith("/meetings/decisions/WG3/2025/1/")
    assert "Decision WG3/2025/1 was recorded." in sara.locator("main").inner_text()
    sara.fill("#id_title_en", "Draft the assessment")
    sara.select_option("#id_owner", label="UNDP")
    sara.fill("#id_due", "2025-04-30")
    _submit(sara, "Add the action item")
    actions = sara.locator("#actions").inner_text()
    assert "Draft the assessment" in actions and "2025-04-30" in actions and "overdue" in actions
    sara.screenshot(path=str(tmp_path / "decision-en.png"), full_page=True)

    sara.get_by_role("link", name="Decisions register").click()
    sara.wait_for_load_state()
    register = sara.locator("table.decisions-register").inner_text()
    assert "WG3/2025/1" in register and "Joint threat assessment" in register and "overdue" in register
    sara.screenshot(path=str(tmp_path / "register-en.png"), full_page=True)

    sara.goto(meeting_url)
    sara.screenshot(path=str(tmp_path / "meeting-en.png"), full_page=True)

    nadia = _sign_in(browser, site, "nadia")
    nadia.goto(meeting_url)
    viewer = nadia.locator(".viewer-time").inner_text()
    assert "2025-03-09 20:00–22:00" in viewer and "EDT" in viewer and "America/New_York" in viewer

    sara.goto(f"{meeting_url}?lang=ar")
    sara.wait_for_load_state()
    assert sara.evaluate("document.documentElement.dir") == "rtl"
    assert sara.evaluate("document.documentElement.scrollWidth") <= WIDTH
    sara.screenshot(path=str(tmp_path / "meeting-ar.png"), full_page=True)

    pack = meeting_url + "pack.pdf"
    for lang in ("ar", "zh-hans"):
        response = sara.request.get(f"{pack}?lang={lang}")
        assert response.ok and response.headers["content-type"] == "application/pdf"
        pdf = tmp_path / f"pack-{lang}.pdf"
        pdf.write_bytes(response.body())
        if shutil.which("pdftoppm"):
            subprocess.run(["pdftoppm", "-png", "-r", "70", str(pdf), str(tmp_path / f"pack-{lang}")], check=True)
    assert outside == []
