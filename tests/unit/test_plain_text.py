"""User text is shown as typed: no markdown links, images, shortcodes or HTML."""
from companion.ui.text import plain


def test_links_images_and_html_are_neutralised():
    for typed in ("![x](http://evil.example/a.png)", "[click](javascript:alert(1))",
                  "<img src=x onerror=alert(1)>", ":material/home:", "**bold** _it_ `code`"):
        shown = plain(typed)
        for char in "![]()<>:*_`":
            assert f"{char}" not in shown.replace(f"\\{char}", "")


def test_plain_words_are_unchanged():
    assert plain("A long day but I made it") == "A long day but I made it"
