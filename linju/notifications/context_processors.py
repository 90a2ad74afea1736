from functools import cached_property

from linju.notifications.selectors import unread_count


class Inbox:
    """The header's unread count, asked of the database once, and only if a page shows it."""

    def __init__(self, user) -> None:
        self.user = user

    @cached_property
    def unread(self) -> int:
        return unread_count(user=self.user)


def inbox(request):
    return {"inbox": Inbox(getattr(request, "user", None))}
