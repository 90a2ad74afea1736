"""factory_boy factories for notifications."""

import factory
from django.utils import timezone

from linju.notifications.models import Notification
from tests.factories import UserFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = "notice.published"
    title = factory.Sequence(lambda n: f"通知{n}")
    body = "请大家留意。"

    class Params:
        read = factory.Trait(read_at=factory.LazyFunction(timezone.now))
