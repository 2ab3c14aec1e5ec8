import re
from playwright.sync_api import expect
def test_explore(phone, app_url):
    page = phone.new_page()
    page.goto("/")
    page.get_by_role("textbox", name="Username").wait_for()
    page.screenshot(path="/tmp/explore/login.png")
    print(page.get_by_role("button").all_inner_texts())
    page.get_by_role("textbox", name="Username").fill("demo-client1")
    page.get_by_role("textbox", name="Password").fill("quiet harbor lantern 7319")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Hi, Avery").wait_for()
    page.screenshot(path="/tmp/explore/home.png")
    print(phone.cookies())
    page.get_by_test_id("stExpandSidebarButton").click()
    nav = page.get_by_test_id("stSidebarNav")
    print("NAV", nav.inner_text())
    print(page.get_by_test_id("stSidebar").inner_html()[:3000])
    print(set(phone.requests))
