"""Small IATI 2.03 activity files for tests, written as text so that each test shows what it imports.

``activity(identifier, ...)`` is one ``<iati-activity>`` valid against the official 2.03 schema: a
reporting organisation (UNDP's IATI identifier XM-DAC-41114 by default), a title and description, an
implementing participating organisation, a status, a planned start and end, and ``extra`` elements
placed after the dates in schema order (recipient-country, sector, tag, policy-marker, budget,
transaction, related-activity must be given in that order). ``activities(...)`` wraps activities in
``<iati-activities version="2.03">`` and returns bytes.
"""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data" / "iati"
SAMPLES = DATA / "samples"
DFID = SAMPLES / "dfid-haiti-2.01-from-hxl-proxy.xml"


def activity(identifier: str, *, reporting: str = "XM-DAC-41114", title: str = "Border management training",
             title_fr: str = "", description: str = "Training of border officers.", status: str = "2",
             start: str = "2025-01-01", end: str = "2026-12-31", extra: str = "", currency: str = "USD") -> str:
    """One activity (module docstring)."""
    french = f'<narrative xml:lang="fr">{title_fr}</narrative>' if title_fr else ""
    return f"""
 <iati-activity default-currency="{currency}" last-updated-datetime="2025-06-01T00:00:00Z">
  <iati-identifier>{identifier}</iati-identifier>
  <reporting-org ref="{reporting}" type="40"><narrative>Reporting organisation</narrative></reporting-org>
  <title><narrative>{title}</narrative>{french}</title>
  <description type="1"><narrative>{description}</narrative></description>
  <participating-org ref="{reporting}" role="4" type="40"><narrative>Implementer</narrative></participating-org>
  <activity-status code="{status}"/>
  <activity-date type="1" iso-date="{start}"/>
  <activity-date type="3" iso-date="{end}"/>
  {extra}
 </iati-activity>"""


def activities(*items: str, version: str = "2.03") -> bytes:
    """A whole file (module docstring)."""
    body = "".join(items)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="{version}" '
            f'generated-datetime="2025-06-01T00:00:00Z">{body}\n</iati-activities>\n').encode()


def transaction(kind: str, value: str, date: str = "2025-03-01", provider: str = "", currency: str = "") -> str:
    """A ``<transaction>`` of IATI TransactionType ``kind``; ``provider`` an organisation name."""
    money = f' currency="{currency}"' if currency else ""
    org = f'<provider-org><narrative>{provider}</narrative></provider-org>' if provider else ""
    return (f'<transaction><transaction-type code="{kind}"/><transaction-date iso-date="{date}"/>'
            f'<value value-date="{date}"{money}>{value}</value>{org}</transaction>')
