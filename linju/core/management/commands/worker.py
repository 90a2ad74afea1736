"""``linju worker``: run background tasks; django-tasks-db's ``db_worker`` under Linju's name."""

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = (
        "Run the background-task worker (the same as `db_worker`; all its options apply). "
        "Run one or more beside the web server in production. It books the daily purge of "
        "personal data past its retention period, the monthly disclosure reports and the daily "
        "reminders of grant reports due, if none "
        "is booked."
    )

    def handle(self, *args, **options):
        from linju.funding.tasks import reports_schedule
        from linju.grants.tasks import reminders_schedule as grant_reminders_schedule
        from linju.privacy.tasks import retention_schedule

        retention_schedule()
        reports_schedule()
        grant_reminders_schedule()
        return super().handle(*args, **options)
