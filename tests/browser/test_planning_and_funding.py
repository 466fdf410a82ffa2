"""Plan and fund the work, in a real browser (Playwright driving Debian's Chromium), as three users of
the default data: the secretariat (UNOCT), a focal point of UNODC (representing it in working group 2)
and a focal point of CTED representing it in working group 4, where CTED is vice-chair (an officer).

The walk: the seed's joint programme of work 2019-2020 (adopted 2019-07-27); a new version with a
priority, an output and an activity of working group 4; the comparison of the two versions; adoption;
carry-over into a new version of 2024-2026. A joint project led by UNODC in working group 4 with
participants, a sector, three beneficiary countries (33.33 x 3 refused, 33.33/33.33/33.34 accepted) and
budgets; submitted, endorsed by the officer, published by the secretariat. Funding flows in US dollars,
euros and yen, a rates CSV checked then loaded, and the funding overview checked against figures
computed by hand. Every main page is also opened in Arabic: right to left, and nothing wider than the
window.
"""

from __future__ import annotations

import re

import pytest

WIDTH = 1280


@pytest.fixture
def site(transactional_db, live_server, make_user):
    from compact.planning.services import load_default_programmes
    from compact.registry.services import load_default_structure

    load_default_structure(reason="browser test")
    load_default_programmes(actor_label="browser test")
    make_user("sara", entity="UNOCT", secretariat=True)
    make_user("omar", entity="UNODC", body="wg-2")  # UNODC's focal point; UNODC is a member of wg-4
    make_user("carla", entity="CTED", body="wg-4")  # CTED is vice-chair of wg-4: an officer of wg-4
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


def _go(page, url):
    page.goto(url)
    page.wait_for_load_state()


def _submit(page, name="Save"):
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def _step(page, button, reason):
    form = page.locator(f"main form:has(button:has-text('{button}'))")
    form.locator("[name=reason]").fill(reason)
    form.locator("button").click()
    page.wait_for_load_state()


def test_plan_and_fund_the_work_in_the_pages(site, browser, tmp_path):
    sara, omar, carla = (_sign_in(browser, site, name) for name in ("sara", "omar", "carla"))
    outside = []
    for page in (sara, omar, carla):
        page.on("request", lambda request: outside.append(request.url) if not request.url.startswith(site) else None)

    # --- The joint programme of work -------------------------------------------------------------------
    _go(sara, f"{site}/planning/")
    assert "27 July 2019" in sara.locator("table.programmes").inner_text()
    sara.get_by_role("link", name="Joint Programme of Work 2019-2020").click()
    sara.wait_for_load_state()
    assert "Adopted on 27 July 2019 by the Coordination Committee" in sara.locator("main").inner_text()
    v1_url = sara.url
    sara.get_by_role("link", name="Make a new version").click()
    sara.fill("#id_reason", "Revision after the mid-term review")
    _submit(sara)
    v2_url = sara.url
    assert "Version 2 was started as a draft." in sara.locator("main").inner_text()
    sara.get_by_role("link", name="Add a priority").click()
    _submit(sara)  # nothing filled in: the title's error is next to it
    assert "A title is required, in at least one language." in sara.locator("#title_en-errors").inner_text()
    sara.fill("#id_title_en", "Countering the financing of terrorism")
    _submit(sara)

    _go(carla, v2_url)
    carla.get_by_role("link", name="Working group 4", exact=True).click()
    carla.wait_for_load_state()
    carla.get_by_role("link", name="Add an output").click()
    carla.fill("#id_title_en", "Model legislation on terrorist financing")
    carla.select_option("#id_priority", label="1. Countering the financing of terrorism")
    _submit(carla)
    carla.get_by_role("link", name="Add an activity").click()
    carla.fill("#id_title_en", "Regional workshop on model legislation")
    carla.select_option("#id_lead_entity", label="UNODC")
    carla.select_option("#id_participating_entities", label=["CTED", "UNOCT"])
    carla.fill("#id_start", "2020-03-01")
    carla.fill("#id_end", "2020-02-01")
    carla.select_option("#id_status", label="ongoing")
    _submit(carla)
    assert "The end is before the start." in carla.locator("#end-errors").inner_text()
    carla.fill("#id_end", "2020-12-31")
    _submit(carla)
    workplan = carla.locator("main").inner_text()
    assert "Regional workshop on model legislation" in workplan and "1 March 2020 – 31 December 2020" in workplan
    history = workplan.split("History of changes")[1]
    assert "Model legislation on terrorist financing" in history and "Regional workshop" in history

    _go(sara, f"{site}/planning/")
    sara.get_by_role("button", name="Compare").click()
    sara.wait_for_load_state()
    changes = sara.locator("main").inner_text()
    assert "Countering the financing of terrorism" in changes and "1.1 Regional workshop on model legislation" in changes

    _go(sara, v2_url)
    sara.get_by_role("link", name="Record the adoption").click()
    sara.fill("#id_adopted_on", "2020-06-15")
    sara.fill("#id_decision", "CC/2020/5")
    sara.fill("#id_reason", "Adopted at the fifth meeting")
    _submit(sara)
    assert "(decision CC/2020/5)" in sara.locator("main").inner_text()
    _go(sara, v1_url)
    assert "Version 1 — superseded" in sara.locator("main").inner_text()
    _go(sara, f"{site}/planning/")
    sara.get_by_role("link", name="Joint Programme of Work 2024-2026").click()
    sara.get_by_role("link", name="Make a new version").click()
    sara.fill("#id_reason", "Carry the unfinished work of 2019-2020")
    _submit(sara)
    sara.get_by_role("link", name="Carry over unfinished activities").click()
    sara.select_option("#id_source", label="Joint Programme of Work 2019-2020 (v2)")
    sara.fill("#id_reason", "Unfinished activities continue")
    _submit(sara)
    carried = sara.locator("main").inner_text()
    assert "Activities carried: 1." in carried and "Carried from an earlier programme" in carried

    # --- A joint project ------------------------------------------------------------------------------
    _go(omar, f"{site}/projects/new/")
    assert _fits(omar), "the project form is wider than the window"
    omar.fill("#id_title_en", "Countering terrorist financing in Central Asia")
    omar.fill("#id_title_fr", "Lutte contre le financement du terrorisme en Asie centrale")
    omar.fill("#id_description_en", "Joint support to financial intelligence units.")
    omar.select_option("#id_lead_entity", label="UNODC")
    omar.select_option("#id_lead_body", label="WG 4: Criminal Justice, Legal Responses and Countering the Financing of Terrorism")
    omar.get_by_label("WG 4: Criminal Justice, Legal Responses and Countering the Financing of Terrorism", exact=True).check()
    omar.get_by_label("II. Measures to prevent and combat terrorism").check()
    omar.fill("#id_iati_identifier", "XM-DAC-41114-CT-001")
    omar.select_option("#id_activity_status", value="2")
    omar.fill("#id_start", "2024-01-01")
    omar.fill("#id_end", "2026-12-31")
    omar.select_option("#id_gender_marker", value="1")
    omar.select_option("#id_human_rights_marker", value="2")
    omar.select_option("#id_sdg_targets", value=["16.a"])
    omar.select_option("#id_participants-0-role", value="4")
    omar.select_option("#id_participants-0-entity", label="UNODC")
    omar.select_option("#id_participants-1-role", value="1")
    omar.fill("#id_participants-1-name", "Japan")
    omar.fill("#id_participants-1-ref", "XM-DAC-701")
    omar.fill("#id_sectors-0-code", "15210")
    omar.fill("#id_sectors-0-percentage", "100")
    for row, code in enumerate(("398", "417", "762")):  # Kazakhstan, Kyrgyzstan, Tajikistan
        omar.select_option(f"#id_areas-{row}-code", value=code)
        omar.fill(f"#id_areas-{row}-percentage", "33.33")
    for row, (start, end, amount, currency) in enumerate((("2024-01-01", "2024-12-31", "500000", "USD"),
                                                          ("2025-01-01", "2025-12-31", "400000", "EUR"))):
        omar.fill(f"#id_budgets-{row}-period_start", start)
        omar.fill(f"#id_budgets-{row}-period_end", end)
        omar.fill(f"#id_budgets-{row}-amount", amount)
        omar.select_option(f"#id_budgets-{row}-currency", currency)
        omar.fill(f"#id_budgets-{row}-value_date", start)
    _submit(omar)
    assert ("Percentages of beneficiary countries and regions sum to 99.99, not 100: 33.33 + 33.33 + 33.33."
            in omar.locator("fieldset.formset-areas").inner_text())
    omar.screenshot(path=str(tmp_path / "project-form-error.png"), full_page=True)
    omar.fill("#id_areas-2-percentage", "33.34")
    _submit(omar)
    assert "The joint project was added." in omar.locator("main").inner_text()
    project_url = omar.url
    detail = omar.locator("main").inner_text()
    for text in ("II. Measures to prevent and combat terrorism", "16.a - Strengthen relevant national institutions",
                 "Tajikistan", "33.34\u00a0%", "Security system management and reform", "€400,000.00 + $500,000.00"):
        assert text in detail, text
    _step(omar, "Submit to the working group", "Ready for review by working group 4")
    _go(carla, project_url)
    _step(carla, "Endorse", "Endorsed by the officers of working group 4")
    _go(sara, project_url)
    assert sara.locator("main form button", has_text="Endorse").count() == 0  # the secretariat does not endorse
    _step(sara, "Publish", "Published for the appeal")
    assert "The joint project is now published." in sara.locator("main").inner_text()

    # --- Funding flows, rates, totals --------------------------------------------------------------------
    funding_url = project_url.replace("/projects/", "/funding/projects/")
    flows = (("requirement", "1000000", "USD", "2024-01-15", ""),
             ("pledge", "200000", "USD", "2024-02-01", "Japan"),
             ("commitment", "400000", "EUR", "2024-03-15", "Germany"),
             ("commitment", "-40000", "EUR", "2024-06-10", "Germany"),  # a de-obligation
             ("commitment", "1500000", "JPY", "2024-04-05", "Japan"))  # no JPY rate will be loaded
    for kind, amount, currency, date, provider in flows:
        _go(omar, funding_url)
        omar.select_option("#id_kind", kind)
        omar.fill("#id_amount", amount)
        omar.fill("#id_currency", currency)
        omar.fill("#id_date", date)
        omar.fill("#id_provider_name", provider)
        omar.fill("#id_reason", f"{kind} recorded")
        _submit(omar, "Add")
        assert "The flow was added." in omar.locator("main").inner_text(), (kind, amount)
    totals = omar.locator("table.funding-project-totals").inner_text()
    assert "incomplete: no rates for EUR 2024-03, EUR 2024-06, JPY 2024-04" in totals
    assert "$0.00" in totals  # funded: nothing converted yet, and marked incomplete
    assert omar.locator("table.funding-project-totals .incomplete-mark").count() == 2  # funded and gap

    rates = tmp_path / "rates.csv"
    rates.write_bytes("\ufeffcurrency,month,rate\r\nEUR,2024-03,0.8\r\nEUR,2024-06,0.8\r\n".encode())
    _go(sara, f"{site}/funding/rates/")
    sara.set_input_files("input[type=file]", str(rates))
    sara.fill("[name=reason]", "UN operational rates of exchange, 2024")
    _submit(sara, "Check (dry run)")
    assert "Check only: nothing is written yet." in sara.locator("main").inner_text()
    _go(omar, funding_url)
    assert "EUR 2024-03" in omar.locator("table.funding-project-totals").inner_text()  # the dry run wrote nothing
    sara.get_by_role("button", name="Load these rates").click()
    sara.wait_for_load_state()
    assert "Rates loaded: 2 new, 0 replaced, 0 unchanged." in sara.locator("main").inner_text()

    # By hand: funded = 400,000 EUR / 0.8 - 40,000 EUR / 0.8 = 500,000 - 50,000 = 450,000 (the 1,500,000 JPY
    # have no rate: left out, never 0 or 1:1, and the total says so); the pledge is not funded; gap =
    # 1,000,000 - 450,000 = 550,000. Tajikistan's share is 33.34 %: 333,400 required, 150,030 funded.
    _go(omar, f"{site}/funding/")
    overall = omar.locator("table.funding-overall tbody tr").inner_text()
    cells = [" ".join(c.split()) for c in overall.split("\t")]
    assert cells[:6] == ["$1,000,000.00", "$200,000.00", "$450,000.00 * incomplete", "$0.00", "$0.00",
                         "$550,000.00 * incomplete"], cells
    assert "incomplete: no rate for JPY 2024-04" in overall
    tajikistan = omar.locator("table.funding-country tr", has_text="Tajikistan").inner_text()
    assert "$333,400.00" in tajikistan and "$150,030.00" in tajikistan
    central_asia = omar.locator("table.funding-region tr", has_text="Central Asia (143)").inner_text()
    assert "$1,000,000.00" in central_asia and "$450,000.00" in central_asia
    implementing = omar.locator("table.funding-implementing_entity tr", has_text="UNODC").inner_text()
    assert "$550,000.00" in implementing
    omar.screenshot(path=str(tmp_path / "funding-overview-en.png"), full_page=True)

    _go(omar, f"{site}/reference/")
    omar.get_by_role("link", name="UN M49 countries, areas and regions").click()
    omar.wait_for_load_state()
    assert "Afghanistan" in omar.locator("main").inner_text()

    # --- The same pages in Arabic: right to left, nothing wider than the window ---------------------------
    pages = [f"{site}/planning/", v2_url, project_url, f"{project_url}edit/", funding_url, f"{site}/funding/",
             f"{site}/funding/rates/", f"{site}/projects/", f"{site}/reference/"]
    for lang in ("ar", "en"):
        for number, url in enumerate(pages):
            _go(sara, f"{url}{'&' if '?' in url else '?'}lang={lang}")
            assert sara.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr"), url
            assert _fits(sara), f"{url} in {lang} is wider than the window"
            sara.screenshot(path=str(tmp_path / f"page-{number}-{lang}.png"), full_page=True)
    _go(sara, f"{project_url}?lang=ar")
    assert re.search(r"<bdi>16\.a</bdi>", sara.content())  # the code keeps its order in right-to-left text
    assert outside == [], f"requests left the platform: {outside}"
