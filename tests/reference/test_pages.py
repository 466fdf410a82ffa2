"""Reference pages: public, read-only, translated (Arabic right to left through the base template), with
CSV downloads whose second row holds HXL hashtags. Expected rows are counted in the shipped files here."""

from __future__ import annotations

import csv
import io
import re

import pytest
from lxml import etree

from reference.sources import CODELISTS, GEO

pytestmark = pytest.mark.django_db

PAGES = ["/reference/", "/reference/codelists/Sector/", "/reference/codelists/UNSDG-Targets/", "/reference/areas/",
         "/reference/currencies/"]
DOWNLOADS = ["/reference/codelists/Sector.csv", "/reference/areas.csv", "/reference/currencies.csv"]


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xml_items(list_name: str):
    path = next(CODELISTS.glob(f"*/{list_name}.xml"))
    return etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).findall("codelist-items/codelist-item")


def m49_rows(language_file: str = "UNSD-M49-en.csv") -> list[dict[str, str]]:
    with (GEO / language_file).open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("url", PAGES)
def test_each_page_renders_in_english_left_to_right(client, url):
    response = client.get(url + "?lang=en")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en" dir="ltr">' in html


@pytest.mark.parametrize("url", PAGES)
def test_each_page_renders_in_arabic_right_to_left(client, url):
    response = client.get(url + "?lang=ar")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "bootstrap.rtl.min.css" in html


def test_the_index_lists_every_codelist_with_its_size(client):
    html = client.get("/reference/").content.decode()
    for path in sorted(CODELISTS.glob("*/*.xml")):
        name = etree.parse(str(path)).getroot().get("name")
        assert f'href="/reference/codelists/{name}/"' in html
    assert re.search(r"UNSDG-Targets</a></th>\s*<td[^>]*>[^<]*</td>\s*<td class=\"text-end\">169</td>", html)
    assert 'href="/reference/areas/"' in html and 'href="/reference/currencies/"' in html


def test_a_codelist_page_shows_every_code_and_marks_the_withdrawn(client):
    items = xml_items("Currency")
    withdrawn = [i.findtext("code") for i in items if i.get("status") == "withdrawn"]
    html = client.get("/reference/codelists/Currency/?lang=en").content.decode()
    assert html.count('<th scope="row"><code dir="ltr">') == len(items)
    assert html.count('class="withdrawn text-body-secondary"') == len(withdrawn)
    row = re.search(r'<tr class="withdrawn[^"]*">\s*<th scope="row"><code dir="ltr">BYR</code></th>.*?</tr>', html, re.S)
    assert row and "Withdrawn" in row.group(0)


def test_codelist_names_in_french_and_marked_english_in_other_languages(client):
    french = client.get("/reference/codelists/OrganisationRole/?lang=fr").content.decode()
    assert "Mise en œuvre" in french
    russian = client.get("/reference/codelists/OrganisationRole/?lang=ru").content.decode()
    assert '<span lang="en" dir="ltr" class="fallback">Implementing</span>' in russian
    assert "[en]</small>" in russian


def test_codelist_filters(client):
    html = client.get("/reference/codelists/UNSDG-Targets/?q=16.A&lang=en").content.decode()
    codes = re.findall(r'<code dir="ltr">([^<]+)</code>', html)
    assert codes == ["16.a"]
    html = client.get("/reference/codelists/Currency/?status=withdrawn&lang=en").content.decode()
    codes = re.findall(r'<th scope="row"><code dir="ltr">([^<]+)</code>', html)
    assert codes == [i.findtext("code") for i in xml_items("Currency") if i.get("status") == "withdrawn"]


def test_an_unknown_codelist_is_404_and_a_bad_filter_400(client):
    assert client.get("/reference/codelists/NoSuchList/").status_code == 404
    assert client.get("/reference/codelists/NoSuchList.csv").status_code == 404
    response = client.get("/reference/codelists/Currency/?status=retired&lang=en")
    assert response.status_code == 400
    assert "status:" in response.content.decode()
    response = client.get("/reference/areas/?region=566&lang=en")
    assert response.status_code == 400
    assert "region: &#x27;566&#x27; is a UN M49 country or area code, not a region code." in response.content.decode()


def test_areas_page_in_arabic_shows_the_arabic_names(client):
    html = client.get("/reference/areas/?region=011&lang=ar").content.decode()
    nigeria_ar = next(r for r in m49_rows("UNSD-M49-ar.csv") if r["M49 Code"] == "566")["Country or Area"]
    assert nigeria_ar in html
    expected = sorted(r["M49 Code"] for r in m49_rows() if r["Intermediate Region Code"] == "011")
    assert re.findall(r'<th scope="row"><code dir="ltr">(\d{3})</code>', html) == expected


def test_areas_filter_by_kind(client):
    html = client.get("/reference/areas/?kind=country").content.decode()
    assert len(re.findall(r'<tr class="country">', html)) == len(m49_rows()) == 249
    assert '<tr class="region">' not in html


def test_currencies_page(client):
    html = client.get("/reference/currencies/?lang=fr&q=KWD").content.decode()
    assert "dinar koweïtien" in html
    assert re.search(r"<code dir=\"ltr\">KWD</code></th>\s*<td>dinar koweïtien</td>\s*<td class=\"text-end\">3</td>", html)


def test_codelist_csv_has_the_hxl_row_and_every_code(client):
    rows = read_csv(client.get("/reference/codelists/Sector.csv"))
    assert rows[0] == ["code", "name_en", "name_fr", "status", "description"]
    assert rows[1] == ["#sector +code", "#sector +name +i_en", "#sector +name +i_fr", "#status +code", "#description +i_en"]
    items = xml_items("Sector")
    assert [r[0] for r in rows[2:]] == [i.findtext("code") for i in items]
    assert [r[3] for r in rows[2:]] == [i.get("status") or "active" for i in items]


def test_codelist_csv_of_a_list_without_an_hxl_hashtag_uses_meta(client):
    rows = read_csv(client.get("/reference/codelists/TransactionType.csv"))
    assert rows[1][0] == "#meta +transactiontype +code"
    assert len(rows) == 2 + len(xml_items("TransactionType"))


def test_areas_csv_has_the_hxl_row_and_the_six_languages(client):
    rows = read_csv(client.get("/reference/areas.csv?kind=country"))
    assert rows[1][0] == "#country +code +v_m49"
    assert "#country +name +i_ar" in rows[1] and "#country +name +i_zh_hans" in rows[1]
    assert len(rows) == 2 + 249
    header = rows[0]
    nigeria = dict(zip(header, next(r for r in rows if r[0] == "566"), strict=True))
    source = {f: next(r for r in m49_rows(f) if r["M49 Code"] == "566")["Country or Area"]
              for f in ("UNSD-M49-ar.csv", "UNSD-M49-cn.csv")}
    assert nigeria["name_ar"] == source["UNSD-M49-ar.csv"]
    assert nigeria["name_zh-hans"] == source["UNSD-M49-cn.csv"]
    assert (nigeria["iso2"], nigeria["iso3"], nigeria["regions"]) == ("NG", "NGA", "002 202 011 001")


def test_currencies_csv_has_the_hxl_row(client):
    rows = read_csv(client.get("/reference/currencies.csv?lang=en"))
    assert rows[1][0] == "#currency +code +v_iso4217"
    by_code = {r[0]: r for r in rows[2:]}
    assert by_code["JPY"][2] == "0" and by_code["USD"][2] == "2" and by_code["KWD"][2] == "3"
    assert by_code["USD"][1] == "US Dollar"
    assert by_code["BYR"][3] == "withdrawn"
    assert len(by_code) == len(xml_items("Currency"))


def test_download_links_keep_the_filters(client):
    html = client.get("/reference/areas/?region=002&kind=country").content.decode()
    assert 'href="/reference/areas.csv?kind=country&amp;region=002"' in html
    rows = read_csv(client.get("/reference/areas.csv?kind=country&region=002"))
    assert {r[0] for r in rows[2:]} == {r["M49 Code"] for r in m49_rows() if r["Region Code"] == "002"}


@pytest.mark.parametrize("url", PAGES + DOWNLOADS)
def test_pages_and_downloads_read_no_database_for_a_visitor(client, django_assert_max_num_queries, url):
    with django_assert_max_num_queries(0):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", PAGES + DOWNLOADS)
def test_a_signed_in_user_costs_only_the_session_queries(client, make_user, django_assert_max_num_queries, url):
    client.force_login(make_user("reader"))
    client.get("/reference/")  # warm the session
    # The request's own work: session, user, two-factor devices (2), security policy, the user's groups for
    # the navigation (pages only), and the session saved after the request (savepoint, update, release).
    with django_assert_max_num_queries(9):
        assert client.get(url).status_code == 200
