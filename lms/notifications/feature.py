"""The notifications feature: in-app notifications, the bell and email preferences."""

from __future__ import annotations

from lms.core.features import Feature
from lms.notifications.models import Notification
from lms.notifications.services import ANNOUNCEMENT


def _own(user, notification: Notification) -> bool:
    """A notification is its recipient's alone (admins pass every rule, but the pages only
    ever load the current user's own notifications)."""
    return notification.user_id == user.id


FEATURE = Feature(
    name="notifications",
    models=("lms.notifications.models",),
    blueprint="lms.notifications.views:bp",
    notification_kinds=(ANNOUNCEMENT,),
    demo="lms.notifications.demo:load_notifications",
    permissions=((Notification, _own, _own),),
)
