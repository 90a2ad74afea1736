import pytest


@pytest.fixture
def immediate_tasks(settings):
    """Background tasks (the map's recomputation) run at once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
