"""Audit exercises of the import job services (``compact.interop.job_services``), and the small IATI 2.03
files the job tests import (``iati_file``), written by hand from the 2.03 activity schema."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from xml.sax.saxutils import escape

from django.test import override_settings

#: UNDP's IATI organisation identifier (IATI registry), which the default structure gives it.
UNDP_REF = "XM-DAC-41114"


def iati_activity(identifier: str, title: str, *, sector: str = "15210", description: str = "",
                  reporting: str = UNDP_REF, organisation: str = "United Nations Development Programme",
                  country: str = "ML") -> str:
    """One ``<iati-activity>`` with what the 2.03 schema requires (identifier, reporting organisation, title,
    description, a participating organisation, status, a date), a recipient country and a sector; the
    reporting organisation (``reporting``, named ``organisation``) is also the implementing one."""
    text = escape(description or f"{title}: activities of the project.")
    return f"""  <iati-activity last-updated-datetime="2025-03-01T12:00:00Z" xml:lang="en" default-currency="USD">
    <iati-identifier>{escape(identifier)}</iati-identifier>
    <reporting-org ref="{reporting}" type="40"><narrative>{escape(organisation)}</narrative></reporting-org>
    <title><narrative>{escape(title)}</narrative></title>
    <description type="1"><narrative>{text}</narrative></description>
    <participating-org ref="{reporting}" role="4" type="40"><narrative>{escape(organisation)}</narrative></participating-org>
    <activity-status code="2"/>
    <activity-date iso-date="2024-01-15" type="2"/>
    <recipient-country code="{country}" percentage="100"/>
    <sector vocabulary="1" code="{sector}" percentage="100"/>
  </iati-activity>
"""


def iati_file(*activities: str) -> bytes:
    """An IATI 2.03 activity file holding ``activities`` (``iati_activity``), UTF-8."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<iati-activities version="2.03" generated-datetime="2025-03-01T12:00:00Z">\n'
            + "".join(activities) + "</iati-activities>\n").encode("utf-8")


#: Two UNDP activities: one on preventing violent extremism (sector 15220, counter-terrorism relevant by
#: default), one on primary health care (sector 12220, relevant by no default criterion).
PVE = iati_activity(f"{UNDP_REF}-PVE-001", "Preventing violent extremism in the Sahel", sector="15220")
HEALTH = iati_activity(f"{UNDP_REF}-HEALTH-002", "Primary health care in Mopti", sector="12220",
                       description="Clinics and vaccination in rural districts.")


def ex_import_job_start(ctx, s):
    from compact.registry.models import Body

    with override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="compact-jobs-")):
        s.import_job_start(actor=ctx.focal, files=[("undp.xml", iati_file(PVE))], reason="",
                           options=s.ImportOptions(dry_run=True, lead_body=Body.objects.get(key="wg-1")))
    return 1  # the job (its task runs once the transaction commits)


def ex_import_job_confirm(ctx, s):
    from compact.interop.models import ImportJob

    dry_run = ImportJob.objects.create(
        created_by=ctx.focal, status=ImportJob.Status.DONE, files=[{"name": "undp.xml", "path": "imports/undp.xml", "size": 9}],
        options={"dry_run": True, "lead_body": None, "lead_entity": None, "selection": None, "reason": ""},
        report={"ok": True})
    s.import_job_confirm(actor=ctx.focal, job=dry_run, reason="UNDP's projects of 2025")
    return 1  # the new job


EXERCISES: dict[str, Callable] = {
    "compact.interop.job_services.import_job_start": ex_import_job_start,
    "compact.interop.job_services.import_job_confirm": ex_import_job_confirm,
}
