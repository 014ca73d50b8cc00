"""The demo accounts are data the app, the CLI and the tests agree on."""

from __future__ import annotations

import re

from seed.demo_accounts import DEMO_ACCOUNTS, ROLES, account_claims


def test_one_account_per_role_and_a_second_bureau():
    roles = [account["role"] for account in DEMO_ACCOUNTS]
    assert set(roles) == set(ROLES)
    assert roles.count("bureau") == 2 and all(roles.count(role) == 1 for role in ROLES if role != "bureau")
    assert len({account["sub"] for account in DEMO_ACCOUNTS}) == len(DEMO_ACCOUNTS)


def test_every_account_is_marked_demo_and_only_bureaus_have_a_province():
    for account in DEMO_ACCOUNTS:
        assert set(account) == {"sub", "email", "name", "role", "province"}
        assert account["sub"] == account["email"] and account["sub"].endswith("@demo.regdash")
        assert account["name"].startswith("演示")
        if account["role"] == "bureau":
            assert re.fullmatch(r"\d{2}0000", account["province"])
        else:
            assert account["province"] is None
            assert "province" not in account_claims(account)
