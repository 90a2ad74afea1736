import pytest


@pytest.fixture
def immediate_tasks(settings):
    """Background tasks (the photos' web sizes) run at once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def own_media_root(settings, tmp_path):
    """Each test stores files in its own folder, so counting files (to show that a refused
    upload stored nothing) never sees another test's files."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _in_english(settings):
    """Pages and messages in English, so tests match the source text whatever the Chinese
    says (the browser tests check that no English is left on the Chinese pages)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
