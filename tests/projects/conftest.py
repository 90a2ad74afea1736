import pytest


@pytest.fixture
def immediate_tasks(settings):
    """Background tasks (the photos' web sizes) run at once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def own_media_root(settings, tmp_path):
    """Each test stores photos in its own folder, so counting files (to show that a refused
    upload stored nothing) never sees another test's photos."""
    settings.MEDIA_ROOT = tmp_path / "media"
