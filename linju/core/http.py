"""Small helpers every app's views share."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest


def form_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError onto the form, by field where it names one."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def posted(request: HttpRequest):
    """The submitted data on POST (even if empty, so an empty form still gets its errors)."""
    return request.POST if request.method == "POST" else None


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))
