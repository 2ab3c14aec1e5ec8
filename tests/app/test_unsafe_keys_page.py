"""With a placeholder key the app refuses to serve (crisis help stays), instead of failing at
the first save with Fernet's ValueError."""
from companion.core.config import get_settings
from tests.app.conftest import links, texts


def test_a_placeholder_encryption_key_stops_the_app_with_crisis_help_kept(app, monkeypatch):
    monkeypatch.setenv("ENCRYPTION_KEY", "CHANGE-ME")
    get_settings.cache_clear()
    app.run()
    page = texts(app)
    assert "not safe for health records" in page and "ENCRYPTION_KEY is not a valid key" in page
    assert not app.text_input  # no sign-in form
    assert {"tel:988", "tel:911"} <= set(links(app).values())
    get_settings.cache_clear()
