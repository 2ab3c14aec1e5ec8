"""A page that draws hostile typed text on every road, each through its function in
companion/ui/text.py, for tests/browser/test_text_roads.py (run with `streamlit run`).

Each road sits in a container keyed `road-<kind>-<n>` so the test can look inside it;
`road-done` is drawn last. Imported (not run), it only defines the typed strings."""
import streamlit as st

from companion.ui.text import label_text, markdown_text, option_text, table_text

INLINE = ("![x](http://127.0.0.2:9/x.png) [a](javascript:alert(1)) [b](http://127.0.0.2:9/b) "
          "<img src=http://127.0.0.2:9/h.png> <http://127.0.0.2:9/a> :material/home: "
          ":material_home: :streamlit: :smile: :+1: :red[x] :help[tip] :small[s] $x^2$ "
          "www.example.com http://127.0.0.2:9/u me@example.com mailto:me@example.com 7:45 "
          "**b** _i_ `c` ~~s~~ "
          "a -> b -- c >= d &lt;b&gt; 🌿 abc\u202edcba")
BLOCK = "# head\n1. item\n- item\n> quote\n    code\n| a | b |\n|---|---|\n| 1 | 2 |\n$$y$$\n***"
TYPED = {"inline": INLINE, "block": BLOCK}


def draw(name: str, typed: str) -> None:
    body, label = markdown_text(typed), label_text(typed)
    with st.container(key=f"road-body-{name}"):
        st.markdown(body)
    with st.container(key=f"road-caption-{name}"):
        st.caption(body)
    with st.container(key=f"road-alert-{name}"):
        st.info(body)
    with st.container(key=f"road-label-{name}"):
        st.button(label, key=f"button-{name}")
        st.checkbox(label, key=f"checkbox-{name}")
        st.toggle(label, key=f"toggle-{name}")
        st.radio(label, [typed], format_func=label_text, key=f"radio-{name}")
        st.link_button(label, "tel:1")
        st.page_link("https://example.invalid/", label=label)
        st.metric(label, label, label)
        with st.expander(label):
            st.write("inside")
        with st.popover(label):
            st.write("inside")
        st.tabs([label])
        st.segmented_control(label, [typed], format_func=label_text, key=f"segmented-{name}")
        st.pills(label, [typed], format_func=label_text, key=f"pills-{name}")
        st.select_slider(label, [typed, "z"], format_func=label_text, key=f"slider-{name}")
        st.text_input(label, key=f"input-{name}")
        st.progress(0.5, text=label)
        st.download_button(label, b"x", key=f"download-{name}")
        with st.form(f"form-{name}"):
            st.form_submit_button(label)
    with st.container(key=f"road-help-{name}"):
        st.button("Help", key=f"help-{name}", help=body)
        st.text_input("Help", key=f"help-input-{name}", help=body)  # its icon shows on phones
    with st.container(key=f"road-option-{name}"):
        st.selectbox("Choose", [typed], format_func=option_text, key=f"select-{name}")
        st.multiselect("Choose many", [typed], default=[typed], format_func=option_text,
                       key=f"multi-{name}")
    with st.container(key=f"road-table-{name}"):
        st.dataframe(table_text({"typed": [typed]}))


if __name__ == "__main__":  # as `streamlit run` runs it
    for name, typed in TYPED.items():
        draw(name, typed)
    st.toast(markdown_text(INLINE), duration="infinite")  # stays while the test looks
    with st.container(key="road-done"):
        st.write("done")
