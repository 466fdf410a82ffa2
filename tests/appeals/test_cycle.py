"""The whole cycle, end to end: a call for proposals opened with criteria weighted 40/30/30, two entities
submit, two reviewers score, the weighted ranking equals the hand-computed value, the working group
selects, the selected projects form an appeal that is published, then browsed and filtered on its page,
and downloaded as CSV and XLSX equal to the page's rows."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from compact.appeals import selectors, services
from compact.appeals.models import Call, Proposal
from compact.projects import services as project_services

SAHEL = "Border security in the Sahel"
KENYA = "Preventing violent extremism in Kenya"

pytestmark = pytest.mark.django_db

HXL = ["#activity +code", "#activity +name", "#org +impl", "#country +code", "#sector", "#value +requirement +usd",
       "#value +funded +usd", "#value +gap +usd", "#meta +not_converted"]


def page_rows(response) -> list[list[str]]:
    """The ``data-value`` of each cell of the appeal's project table, row by row."""
    html = response.content.decode()
    if "appeal-projects" not in html:
        return []
    body = html.split('class="table table-striped align-middle appeal-projects"', 1)[1].split("</table>", 1)[0]
    return [[unescape(v) for v in re.findall(r'data-value="([^"]*)"', tr)] for tr in re.findall(r"<tr data-project.*?</tr>", body, re.S)]


def run_cycle(world):
    u = world.users
    call = world.new_call()
    services.call_open(actor=u.sec, call=call, reason="Criteria agreed by WG 5")
    p_sahel = services.proposal_submit(actor=u.unodc, call=call, project=world.sahel)
    p_kenya = services.proposal_submit(actor=u.undp, call=call, project=world.kenya)
    services.call_close(actor=u.officer, call=call, reason="Deadline reached")
    c1, c2, c3 = call.criteria.order_by("number")
    for reviewer, proposal, scores in [
        (u.rev1, p_sahel, (4, 3, 5)), (u.rev2, p_sahel, (5, 3, 4)),
        (u.rev1, p_kenya, (3, 4, 2)), (u.rev2, p_kenya, (2, 4, 3)),
    ]:
        for criterion, value in zip((c1, c2, c3), scores, strict=True):
            services.score_set(actor=reviewer, proposal=proposal, criterion=criterion, score=value)
    return call, p_sahel, p_kenya


def test_the_whole_cycle(world, client):
    u = world.users
    call, p_sahel, p_kenya = run_cycle(world)

    # Sahel: criterion means (4+5)/2 = 4.5, (3+3)/2 = 3, (5+4)/2 = 4.5 -> (40*4.5 + 30*3 + 30*4.5) / 100 = 4.05
    # Kenya: (3+2)/2 = 2.5, (4+4)/2 = 4, (2+3)/2 = 2.5 -> (40*2.5 + 30*4 + 30*2.5) / 100 = 2.95
    ranking = selectors.call_ranking(user=u.officer, call=call)
    assert [(r.rank, r.proposal.pk, r.score, r.reviewers, r.complete) for r in ranking] == [
        (1, p_sahel.pk, Decimal("4.05"), 2, True), (2, p_kenya.pk, Decimal("2.95"), 2, True)]
    client.force_login(u.officer)
    page = client.get(f"/appeals/calls/{call.pk}/")
    assert re.search(rf'data-proposal="{p_sahel.pk}"><td>1</td>.*?<td class="text-end score">4.05</td>',
                     page.content.decode(), re.S)

    services.call_select(actor=u.officer, call=call, selected=[p_sahel, p_kenya], reason="WG 5 meeting, 3 March")
    call.refresh_from_db()
    assert call.status == Call.Status.DECIDED
    assert set(Proposal.objects.filter(call=call).values_list("status", flat=True)) == {"selected"}

    appeal = services.appeal_from_call(actor=u.sec, call=call, key="africa-2025", period_start=call.deadline.date(),
                                       period_end=call.deadline.date().replace(year=call.deadline.year + 2))
    assert set(appeal.projects.values_list("title", flat=True)) == {SAHEL, KENYA}
    assert appeal.status == "draft" and appeal.body.key == "wg-5"

    with pytest.raises(ValidationError) as refused:
        services.appeal_publish(actor=u.sec, appeal=appeal)
    assert KENYA in refused.value.message_dict["projects"][0] and SAHEL not in refused.value.message_dict["projects"][0]

    project_services.project_publish(actor=u.sec, project=world.kenya, reason="Endorsed by WG 1")
    services.appeal_publish(actor=u.sec, appeal=appeal, reason="Launch")
    appeal.refresh_from_db()
    assert (appeal.status, appeal.sensitivity) == ("published", "public")

    # Browsing as the secretariat: both projects, with their money and the totals.
    client.force_login(u.sec)
    response = client.get("/appeals/africa-2025/")
    assert response.status_code == 200
    m = world.money
    kenya_code = "XM-TEST-KEN-1"
    rows = page_rows(response)
    assert rows == [
        [str(world.sahel.pk), SAHEL, "UNODC", "466; 562", "15210", str(m.sahel_requirement), str(m.sahel_funded),
         str(m.sahel_gap), ""],
        [kenya_code, KENYA, "UNDP; UNESCO", "404", "15220", str(m.kenya_requirement), str(m.kenya_funded),
         str(m.kenya_gap), "GBP 2025-04"],
    ]
    html = response.content.decode()
    assert f'<span class="total-requirement">{m.sahel_requirement + m.kenya_requirement}</span>' in html  # 1500000.00
    assert f'<span class="total-funded">{m.sahel_funded + m.kenya_funded}</span>' in html  # 426086.96
    assert f'<span class="total-gap">{m.sahel_gap + m.kenya_gap}</span>' in html  # 1073913.04
    assert "incomplete" in html

    filters = {
        "country=466": {SAHEL}, "country=404": {KENYA}, "country=4": set(),
        "region=002": {SAHEL, KENYA}, "region=011": {SAHEL}, "region=014": {KENYA},
        "pillar=2": {SAHEL}, "pillar=1": {KENYA},
        "working_group=wg-2": {SAHEL}, "working_group=wg-1": {KENYA},
        "sdg=16.a": {SAHEL}, "sdg=4.7": {KENYA},
        "implementing=UNESCO": {KENYA}, "implementing=unodc": {SAHEL},
        "region=002&pillar=1": {KENYA},
    }
    for query, expected in filters.items():
        response = client.get(f"/appeals/africa-2025/?{query}")
        assert response.status_code == 200, query
        assert {r[1] for r in page_rows(response)} == expected, query

    # The downloads hold the page's rows, under the header and HXL rows.
    for query in ("", "?region=014"):
        page = page_rows(client.get(f"/appeals/africa-2025/{query}"))
        raw = client.get(f"/appeals/africa-2025/projects.csv{query}")
        assert raw["Content-Type"].startswith("text/csv")
        lines = list(csv.reader(io.StringIO(raw.content.decode("utf-8-sig"))))
        assert lines[1] == HXL
        assert lines[2:] == page
        book = load_workbook(io.BytesIO(client.get(f"/appeals/africa-2025/projects.xlsx{query}").content))
        sheet = [[("" if c is None else str(c)) for c in r] for r in book.active.iter_rows(values_only=True)]
        assert sheet[1] == HXL
        assert sheet[2:] == page


def test_filters_refuse_unknown_and_misplaced_codes(world, client):
    from compact.projects.models import Project

    appeal = services.appeal_create(actor=world.users.sec, key="test", title="Test", period_start=world.sahel.start,
                                    period_end=world.sahel.end, projects=Project.objects.all())
    client.force_login(world.users.sec)
    response = client.get(f"/appeals/{appeal.key}/?country=002&region=566")
    assert response.status_code == 400
    text = response.content.decode()
    assert "&#x27;002&#x27; is a region&#x27;s code" in text or "'002' is a region's code" in unescape(text)
    assert "is a UN M49 country or area code, not a region code" in unescape(text)
    assert client.get(f"/appeals/{appeal.key}/projects.csv?country=999").status_code == 400
