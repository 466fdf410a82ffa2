"""Audit exercises of ``compact.meetings.account_services``: each sets up its rows through the ORM (no
event), then calls one service and says how many rows it writes."""

from __future__ import annotations


def ex_preference_set(ctx, s):
    s.preference_set(actor=ctx.focal, time_zone="Asia/Tokyo", notify_overdue=False, reason="Working from Tokyo")
    return 1  # the preference row, created


def ex_feed_token_create(ctx, s):
    from compact.meetings.models import FeedToken

    FeedToken.objects.create(user=ctx.focal, digest="0" * 64)
    s.feed_token_create(actor=ctx.focal, reason="New calendar application")
    return 2  # the old token revoked, the new one created


def ex_feed_token_revoke(ctx, s):
    from compact.meetings.models import FeedToken

    token = FeedToken.objects.create(user=ctx.focal, digest="1" * 64)
    s.feed_token_revoke(actor=ctx.secretariat, token=token, reason="Address seen in a shared document")
    return 1


EXERCISES = {
    "compact.meetings.account_services.preference_set": ex_preference_set,
    "compact.meetings.account_services.feed_token_create": ex_feed_token_create,
    "compact.meetings.account_services.feed_token_revoke": ex_feed_token_revoke,
}
