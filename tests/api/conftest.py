from tests.fakes.wechat import fake_wechat  # noqa: F401 - a fixture for these tests
