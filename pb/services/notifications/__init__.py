"""Notifications (docs/accounts.md, "Notifications"): who follows what, how each person wants
to hear of each kind, the site's list, the emails (at once or in a daily digest, each with a
one-click unsubscribe) and the worker's scheduled jobs.

Services that cause an event call `announce.<event>` inside their own unit of work, so a
notification and its email exist exactly when the change does. This package may import
`pb.models`, `pb.domain`, `pb.extensions` and `pb.services.mail`; it imports no other service,
so every service can import it.
"""

from pb.services.notifications.follows import (
    do_follow,
    follow_by_default,
    followed,
    followers_of_proposal,
    followers_of_round,
    is_following,
)
from pb.services.notifications.inbox import (
    do_mark_read,
    do_remember_language,
    do_set_preferences,
    get_notification,
    latest,
    notify,
    path_for,
    preferences,
    site_url,
    unread_count,
)
from pb.services.notifications.jobs import (
    do_unsubscribe,
    send_digests,
    send_voting_reminders,
    unsubscribe_target,
)
from pb.services.notifications.texts import DELIVERY_LABELS, KIND_LABELS, detail, headline

__all__ = ["DELIVERY_LABELS", "KIND_LABELS", "detail", "do_follow", "do_mark_read",
           "do_remember_language", "do_set_preferences", "do_unsubscribe",
           "get_notification", "follow_by_default", "followed",
           "followers_of_proposal", "followers_of_round", "headline", "is_following", "latest",
           "notify", "path_for", "preferences", "send_digests", "send_voting_reminders",
           "site_url", "unread_count", "unsubscribe_target"]
