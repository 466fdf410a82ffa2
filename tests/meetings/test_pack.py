"""The meeting pack (PDF, WeasyPrint): what it holds, read from the rendered document's text boxes (no PDF
text extractor needed); the fonts it embeds for Chinese and Arabic, read from the PDF's font descriptors;
and the URL fetcher that keeps it off the network.

The meeting, by hand: wg-3's first meeting, 09:00-11:00 on 10 March 2025 in Tokyo (JST, UTC+09:00), at the
UN University; an agenda item "Cyber threats to critical infrastructure" presented by INTERPOL with a public
document and a strictly confidential one (only the secretariat reads it); decision WG3/2025/1 adopted by
INTERPOL and OPCW.
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
import zoneinfo

import pytest

from compact.meetings import pack, services

pytestmark = pytest.mark.django_db


def _text(document) -> str:
    """The text of every text box of the rendered pack, in order, separated by spaces."""
    from weasyprint.formatting_structure.boxes import TextBox

    return " ".join(box.text for page in document.pages for box in page._page_box.descendants()
                    if isinstance(box, TextBox))


def _font_names(data: bytes) -> set[str]:
    """The ``/FontName`` of every font descriptor of a PDF, looking inside its Flate-compressed streams."""
    chunks = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return {name.decode("latin-1") for chunk in chunks for name in re.findall(rb"/FontName\s*/([^\s/<>\[\]()]+)", chunk)}


@pytest.fixture
def tokyo(wg3, secretariat):
    from compact.library.models import Document
    from compact.registry.models import Entity

    zone = zoneinfo.ZoneInfo("Asia/Tokyo")
    meeting = services.meeting_create(
        actor=secretariat, body=wg3, start=dt.datetime(2025, 3, 10, 9, tzinfo=zone),
        end=dt.datetime(2025, 3, 10, 11, tzinfo=zone), time_zone="Asia/Tokyo", venue="United Nations University, Tokyo",
        title={"en": "Tokyo consultations", "zh-hans": "东京磋商", "ar": "مشاورات طوكيو"}, reason="Scheduled")
    public = Document.objects.create(title="Threat assessment 2025", title_en="Threat assessment 2025",
                                     title_zh_hans="2025年威胁评估", owner_body=wg3, sensitivity="public")
    secret = Document.objects.create(title="Sources and methods", title_en="Sources and methods", owner_body=wg3,
                                     sensitivity="strictly_confidential")
    interpol, opcw = Entity.objects.get(acronym="INTERPOL"), Entity.objects.get(acronym="OPCW")
    item = services.agenda_item_add(
        actor=secretariat, meeting=meeting, presenter=interpol, expected_outcome="decision", documents=[public, secret],
        title={"en": "Cyber threats to critical infrastructure", "zh-hans": "关键基础设施面临的网络威胁",
               "ar": "التهديدات السيبرانية للبنية التحتية الحيوية"}, reason="Added")
    services.decision_record(
        actor=secretariat, meeting=meeting, agenda_item=item, adopted_by=[interpol, opcw],
        title={"en": "Joint assessment", "zh-hans": "联合评估", "ar": "تقييم مشترك"},
        text={"en": "The group will publish a joint assessment.", "zh-hans": "工作组将发布联合评估。",
              "ar": "سينشر الفريق تقييما مشتركا."}, reason="Recorded")
    return meeting


def test_the_pack_holds_the_meeting_agenda_attendance_documents_and_decisions(tokyo, member_fp):
    text = _text(pack.pack_document(user=member_fp, meeting=tokyo, language="en"))
    assert "Meeting No. 1: Tokyo consultations" in text
    assert "2025-03-10 09:00–11:00 JST (Asia/Tokyo, UTC+09:00)" in text
    assert "United Nations University, Tokyo" in text
    assert "Matters arising" in text and "Cyber threats to critical infrastructure" in text and "INTERPOL" in text
    for acronym in ("IMF", "OPCW", "UNDP", "UNICRI", "UNODA"):
        assert acronym in text
    assert "Threat assessment 2025" in text and "Sources and methods" not in text  # strictly confidential
    assert "WG3/2025/1" in text and "Joint assessment" in text and "The group will publish a joint assessment." in text


def test_the_secretariat_sees_every_document_in_its_pack(tokyo, secretariat):
    text = _text(pack.pack_document(user=secretariat, meeting=tokyo, language="en"))
    assert "Threat assessment 2025" in text and "Sources and methods" in text


def test_the_chinese_pack_embeds_the_cjk_font(tokyo, member_fp):
    html = pack.pack_html(user=member_fp, meeting=tokyo, language="zh-hans")
    assert '<html lang="zh-hans" dir="ltr">' in html
    document = pack.pack_document(user=member_fp, meeting=tokyo, language="zh-hans")
    text = _text(document)
    assert "东京磋商" in text and "关键基础设施面临的网络威胁" in text and "工作组将发布联合评估。" in text
    assert "2025年威胁评估" in text
    assert any("CJK" in name for name in _font_names(document.write_pdf()))


def test_the_arabic_pack_is_right_to_left_with_the_arabic_font(tokyo, member_fp):
    html = pack.pack_html(user=member_fp, meeting=tokyo, language="ar")
    assert '<html lang="ar" dir="rtl">' in html
    document = pack.pack_document(user=member_fp, meeting=tokyo, language="ar")
    text = _text(document)
    assert "مشاورات طوكيو" in text and "سينشر الفريق تقييما مشتركا." in text
    assert "WG3/2025/1" in text
    names = _font_names(document.write_pdf())
    assert any("Arabic" in name for name in names)
    root = document.pages[0]._page_box.children[0]
    assert root.style["direction"] == "rtl"


def test_the_pack_page_answers_a_pdf_in_the_requests_language(tokyo, member_fp, client):
    client.force_login(member_fp)
    response = client.get(f"/meetings/{tokyo.pk}/pack.pdf?lang=zh-hans")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert any("CJK" in name for name in _font_names(response.content))


def test_the_fetcher_loads_the_fonts_and_nothing_from_elsewhere(tmp_path):
    fetcher = pack.local_fetcher()
    for path in pack.font_paths().values():
        assert fetcher.fetch(path.as_uri()).read(4)
    (tmp_path / "x.css").write_text("body { color: red }")
    for url in ("http://example.org/style.css", "https://fonts.example.org/font.woff2", (tmp_path / "x.css").as_uri(),
                "file:///etc/passwd", "data:text/css,body{}"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert set(pack.font_paths()) == {pack.CJK_FAMILY, pack.ARABIC_FAMILY}

