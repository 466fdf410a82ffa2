"""The people who import and export tables in the exchange tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def people(seeded, make_user):
    """``people.secretariat``; ``people.unodc``: a focal point of UNODC (a member and vice-chair of wg-2);
    ``people.undp``: a focal point of UNDP; ``people.reader``: a signed-in user with no standing."""

    class People:
        secretariat = make_user("sec", entity="UNOCT", secretariat=True)
        unodc = make_user("unodc-fp", entity="UNODC")
        undp = make_user("undp-fp", entity="UNDP")
        reader = make_user("reader")

    return People
