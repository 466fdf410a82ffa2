"""Calendar feeds, a meeting's calendar file, and the user's calendar and meeting preference pages;
included by ``compact.meetings.urls`` under ``/meetings/`` (namespace ``meetings``).

``mine.ics`` comes before ``<body>.ics`` so that no body key can hide the user's own feed.
"""

from django.urls import path

from compact.meetings import feed_views

urlpatterns = [
    path("calendar/", feed_views.calendar_settings, name="calendar-settings"),
    path("calendar/<slug:body_key>.ics", feed_views.public_body_feed, name="feed-public"),
    path("calendar/<str:secret>/mine.ics", feed_views.my_feed, name="feed-mine"),
    path("calendar/<str:secret>/<slug:body_key>.ics", feed_views.private_body_feed, name="feed-private"),
    path("<int:pk>.ics", feed_views.meeting_ics, name="meeting-ics"),
    path("preferences/", feed_views.preferences, name="preferences"),
]
