"""The pages in a real browser (Playwright driving Debian's Chromium): language switching, Arabic
right to left with the RTL stylesheet, the as-of form, and the API docs working offline."""

import pytest


@pytest.fixture
def site(transactional_db, live_server):
    from compact.registry.services import load_default_structure

    load_default_structure(reason="browser test")
    return live_server.url


def test_switching_language_from_english_to_french_to_arabic(site, browser):
    page = browser.new_page()
    outside = []
    page.on("request", lambda request: outside.append(request.url) if not request.url.startswith(site) else None)
    page.goto(f"{site}/working-groups/1/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Preventing and Countering Violent Extremism Conducive to Terrorism" in page.locator("h1").inner_text()

    page.get_by_role("link", name="français").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert "Prévenir et combattre l’extrémisme violent pouvant conduire au terrorisme" in page.locator("h1").inner_text()
    assert page.get_by_text("Présidence", exact=True).first.is_visible()

    page.get_by_role("link", name="العربيّة").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert any("bootstrap.rtl" in href for href in page.eval_on_selector_all("link[rel=stylesheet]", "els => els.map(e => e.href)"))
    # The choice is remembered: the next page opens in Arabic without a parameter.
    page.goto(f"{site}/committee/")
    assert page.locator("html").get_attribute("lang") == "ar"
    assert outside == [], f"requests left the platform: {outside}"


def test_as_of_form_shows_the_structure_before_the_working_groups(site, browser):
    page = browser.new_page()
    page.goto(f"{site}/working-groups/?lang=en")
    assert page.locator("a[href*='/working-groups/8/']").count() >= 1
    page.fill("input[name=as_of]", "2019-01-01")
    page.locator("input[name=as_of]").press("Enter")
    page.wait_for_load_state()
    assert "as_of=2019-01-01" in page.url
    assert page.locator("a[href*='/working-groups/8/']").count() == 0


def test_api_docs_render_offline(site, browser):
    page = browser.new_page()
    outside = []
    page.on("request", lambda request: outside.append(request.url) if not request.url.startswith(site) else None)
    page.goto(f"{site}/api/docs/")
    page.wait_for_selector("text=/api/working-groups/", timeout=15000)
    assert outside == [], f"requests left the platform: {outside}"
