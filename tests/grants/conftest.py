import pytest


@pytest.fixture(autouse=True)
def _immediate_tasks(settings, tmp_path):
    """Photos get their web sizes at once, stored in a throw-away folder."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def setup(world):
    from tests.grants.factories import Setup

    return Setup(world)


@pytest.fixture(autouse=True)
def _in_english(settings):
    """Pages and messages in English, so tests match the source text whatever the Chinese
    says (the browser tests check that no English is left on the Chinese pages)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
