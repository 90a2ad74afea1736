"""Background work of the membership app, run by ``linju worker``: making big join-slip PDFs."""

from django_tasks import task

from linju.membership import services


@task()
def slip_print_make_task(print_id: int) -> None:
    """Make the PDF of a join-slip print asked for on the console."""
    services.slip_print_make(print_id=print_id)
