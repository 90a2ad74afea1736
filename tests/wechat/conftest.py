from tests.fakes.wechat import fake_wechat  # noqa: F401 - the fixture
