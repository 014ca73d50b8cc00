"""The ``sign_in`` browser helper through the real chain: Chromium, Streamlit's st.login, oidc-provider-mock.

The app's own sign-in UI is built elsewhere; this drives a few-line Streamlit script that has the button
the helper looks for and shows the claims Streamlit hands to ``st.user``.
"""

from __future__ import annotations

import re

import pytest

from tests.support.browser import sign_in
from tests.support.oidc import start_oidc_provider, write_auth_secrets
from tests.support.streamlit_server import free_port, start_streamlit

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCRIPT = """
import streamlit as st

if st.user.is_logged_in:
    st.markdown(f"claims: {st.user.get('role')} {st.user.get('province')} {st.user.get('name')}")
else:
    if st.button("登录"):
        st.login()
"""


@pytest.mark.user(None)  # the helper is driven here against its own probe app, not the session's
def test_sign_in_as_a_bureau_account_brings_its_role_and_province_to_st_user(
    tmp_path, e2e_database_url, browser_page
):
    from playwright.sync_api import expect

    script = tmp_path / "sign_in_probe.py"
    script.write_text(SCRIPT, encoding="utf-8")
    provider = start_oidc_provider(tmp_path)
    port = free_port()
    secrets = write_auth_secrets(tmp_path / "secrets.toml", app_port=port, provider=provider)
    server = start_streamlit(e2e_database_url, tmp_path, script=str(script), port=port, secrets_file=secrets)
    try:
        browser_page.goto(server.base_url)
        sign_in(browser_page, server.base_url, "bureau-zj@demo.regdash")
        expect(browser_page.get_by_text(re.compile("claims: bureau 330000 演示·浙江省局"))).to_be_visible(
            timeout=30_000
        )
    finally:
        server.stop()
        provider.stop()
