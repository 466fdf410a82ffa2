"""Signing in and need-to-know in a real browser (Playwright driving Debian's Chromium): a visitor does
not see a confidential document; a focal point of a participating entity signs in with a password and a
one-time code and then sees it; signing out hides it again; nothing leaves the platform."""

from __future__ import annotations

import pytest


@pytest.fixture
def world(transactional_db, live_server, make_user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from compact.library.models import Document
    from compact.registry.models import Body
    from compact.registry.services import load_default_structure

    load_default_structure(reason="browser test")
    user = make_user("amara", entity="INTERPOL")  # INTERPOL chairs working group 3
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    doc = Document.objects.create(title="Threat picture for the region", owner_body=Body.objects.get(key="wg-3"),
                                  sensitivity="confidential")
    return {"url": live_server.url, "device": device, "doc": doc}


def test_sign_in_with_a_one_time_code_reveals_a_confidential_document(world, browser, tmp_path):
    from django_otp.oath import totp

    from support.people import PASSWORD

    site, doc = world["url"], world["doc"]
    page = browser.new_page()
    outside = []
    page.on("request", lambda request: outside.append(request.url) if not request.url.startswith(site) else None)

    assert page.goto(f"{site}/documents/{doc.pk}/").status == 404
    page.goto(f"{site}/documents/")
    assert "Threat picture" not in page.content()

    page.goto(f"{site}/account/login/?next=/documents/{doc.pk}/")
    page.fill("input[name=username]", "amara")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/account/two-factor/" in page.url
    device = world["device"]
    page.fill("input[name=code]", f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/documents/{doc.pk}/")
    assert "Threat picture for the region" in page.locator("h1").inner_text()
    page.screenshot(path=str(tmp_path / "confidential-document.png"), full_page=True)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert page.goto(f"{site}/documents/{doc.pk}/").status == 404
    assert outside == [], f"requests left the platform: {outside}"
