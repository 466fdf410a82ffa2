"""Shared facts about test users."""

#: The password of every user made by the ``make_user`` fixture.
PASSWORD = "violet-harbour-lantern-42"
