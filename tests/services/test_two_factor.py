"""Two-factor login in the services: enrolment, codes used once, recovery codes, turning it
off, an operator's reset, and the session generation that ends sessions."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from pb.domain import two_factor as rules
from pb.extensions import db
from pb.models import RecoveryCode
from pb.services import ServiceError, accounts, two_factor
from tests.conftest import PASSWORD
from tests.factories import app_code, enrolled, security_events

T0 = datetime(2027, 3, 1, 9, 0, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _security_log(caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="pb.security")


def test_enrolment_is_confirmed_by_a_valid_code_only(make_user: Any, caplog: Any) -> None:
    user = make_user("officer")
    secret = two_factor.do_start_enrolment(user)
    assert two_factor.do_start_enrolment(user) == secret  # a reload keeps the scanned secret
    assert two_factor.enrolment_uri(user).startswith("otpauth://totp/")
    wrong = "000000" if app_code(user) != "000000" else "111111"
    with pytest.raises(ServiceError, match="not right"):
        two_factor.do_confirm_enrolment(user, wrong)
    assert not user.two_factor_enabled and not security_events(caplog, "two_factor.enrolled")
    codes = two_factor.do_confirm_enrolment(user, app_code(user))
    assert user.two_factor_enabled and len(codes) == len(set(codes)) == 10
    assert [e["account"] for e in security_events(caplog, "two_factor.enrolled")] == [user.id]
    stored = db.session.scalars(sa.select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # hashes, never the codes
    assert {rules.recovery_hash(c) for c in codes} == set(stored)


def test_a_code_is_accepted_once_and_a_reused_one_refused(make_user: Any, caplog: Any) -> None:
    user = make_user()
    with freeze_time(T0):
        enrolled(user)
    with freeze_time(T0 + timedelta(seconds=30)):
        code = app_code(user)
        assert two_factor.do_verify(user, code) == "totp"
        step = user.totp_last_step
        with pytest.raises(ServiceError, match="already been used"):
            two_factor.do_verify(user, code)
    # Still inside the drift window, and still refused; an older step's code too.
    with freeze_time(T0 + timedelta(seconds=45)), pytest.raises(ServiceError,
                                                               match="already been used"):
        two_factor.do_verify(user, code)
    assert user.totp_last_step == step
    failures = security_events(caplog, "two_factor.failed")
    assert [(e["account"], e["reason"]) for e in failures] == [(user.id, "reused")] * 2
    with freeze_time(T0 + timedelta(seconds=60)):
        assert two_factor.do_verify(user, app_code(user)) == "totp"


def test_a_wrong_code_is_refused_and_logged(make_user: Any, caplog: Any) -> None:
    user = make_user()
    with freeze_time(T0):
        enrolled(user)
    with freeze_time(T0 + timedelta(minutes=5)):
        right = app_code(user)
        wrong = f"{(int(right) + 1) % 1_000_000:06d}"
        with pytest.raises(ServiceError, match="not right"):
            two_factor.do_verify(user, wrong)
        with pytest.raises(ServiceError, match="not right"):
            two_factor.do_verify(user, "not a code at all")
    assert [e["reason"] for e in security_events(caplog, "two_factor.failed")] == ["wrong"] * 2


def test_a_recovery_code_works_once(make_user: Any, caplog: Any) -> None:
    user = make_user()
    codes = enrolled(user)
    assert two_factor.do_verify(user, codes[3].upper().replace("-", " ")) == "recovery"
    assert two_factor.recovery_codes_left(user) == 9
    with pytest.raises(ServiceError, match="already been used"):
        two_factor.do_verify(user, codes[3])
    assert two_factor.recovery_codes_left(user) == 9
    assert [e["left"] for e in security_events(caplog, "two_factor.recovery_used")] == [9]
    assert security_events(caplog, "two_factor.failed")[-1]["reason"] == "recovery_used"
    assert two_factor.do_verify(user, codes[4]) == "recovery"


def test_new_recovery_codes_replace_the_old_ones(make_user: Any) -> None:
    user = make_user()
    with freeze_time(T0):
        old = enrolled(user)
    with freeze_time(T0 + timedelta(minutes=1)):
        with pytest.raises(ServiceError):
            two_factor.do_regenerate_recovery_codes(user, "123 456x")
        assert two_factor.recovery_codes_left(user) == 10
        new = two_factor.do_regenerate_recovery_codes(user, app_code(user))
    assert not set(old) & set(new)
    with pytest.raises(ServiceError, match="not right"):
        two_factor.do_verify(user, old[0])
    assert two_factor.do_verify(user, new[0]) == "recovery"


def test_turning_off_needs_the_password_or_a_code(make_user: Any, caplog: Any) -> None:
    user = make_user()
    enrolled(user)
    with pytest.raises(ServiceError, match="neither your password"):
        two_factor.do_disable(user, "a wrong password")
    assert user.two_factor_enabled
    two_factor.do_disable(user, PASSWORD)
    assert not user.two_factor_enabled and user.totp_secret is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0
    disabled = security_events(caplog, "two_factor.disabled")
    assert [(e["by"], e["proof"]) for e in disabled] == [("user", "password")]


def test_staff_cannot_turn_it_off_where_the_site_requires_it(app: Any, make_user: Any) -> None:
    app.config["PB_REQUIRE_TWO_FACTOR"] = True
    officer, resident = make_user("officer"), make_user()
    enrolled(officer)
    enrolled(resident)
    assert two_factor.needs_enrolment(make_user("admin"))
    assert not two_factor.needs_enrolment(make_user())
    with pytest.raises(ServiceError, match="requires two-factor login for your role"):
        two_factor.do_disable(officer, PASSWORD)
    assert officer.two_factor_enabled
    two_factor.do_disable(resident, PASSWORD)
    assert not resident.two_factor_enabled


def test_the_session_id_names_the_generation_and_a_kept_session(make_user: Any) -> None:
    user = make_user()
    assert user.get_id() == f"{user.id}:0"  # no session: logs nobody in
    token = accounts.start_session(user, "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0")
    assert user.get_id() == f"{user.id}:0:{token}"
    assert accounts.user_for_session(f"{user.id}:0:{token}") is user
    # Ids from before sessions were kept (with or without a generation) load nobody.
    other = ("B" if token[0] == "A" else "A") + token[1:]
    for bad in (str(user.id), f"{user.id}:0", f"{user.id}:1:{token}", f"{user.id}:x:{token}",
                f"x:0:{token}", "", f"{user.id + 1}:0:{token}", f"{user.id}:-1:{token}",
                f"{user.id}:²:{token}", f"{user.id}:0:{other}", f"{user.id}:0:0",
                f"{user.id}:0:{token}:0"):
        assert accounts.user_for_session(bad) is None, bad
    accounts.do_log_out_everywhere(user)
    assert accounts.user_for_session(f"{user.id}:0:{token}") is None
    assert accounts.user_for_session(f"{user.id}:1:{token}") is None  # the session ended too
    assert accounts.pending_id(user) == f"{user.id}:1"
    assert accounts.user_for_pending(f"{user.id}:1") is user
    assert accounts.user_for_pending(f"{user.id}:0") is None


def test_password_and_role_changes_end_sessions(make_user: Any, caplog: Any) -> None:
    admin, user = make_user("admin"), make_user()
    accounts.do_reset_password(user, "a brand new passphrase")
    assert user.session_generation == 1
    accounts.do_grant_role(admin, user, "officer")
    accounts.do_revoke_role(admin, user, "officer")
    assert user.session_generation == 3
    assert [e["account"] for e in security_events(caplog, "password.changed")] == [user.id]
    assert [(e["account"], e["role"], e["by"]) for e in security_events(caplog, "role.granted")
            ] == [(user.id, "officer", admin.id)]
    assert [e["role"] for e in security_events(caplog, "role.revoked")] == ["officer"]


def test_failed_logins_name_the_account_never_the_email(make_user: Any, caplog: Any) -> None:
    user = make_user(email="kim@example.org")
    assert accounts.authenticate("kim@example.org", "not the password") is None
    assert accounts.authenticate("nobody@example.org", "not the password") is None
    assert [e["account"] for e in security_events(caplog, "login.failed")] == [user.id, None]
    security = " ".join(r.getMessage() for r in caplog.records if r.name == "pb.security")
    assert "example.org" not in security


def test_an_operator_resets_a_lost_second_factor(app: Any, make_user: Any, caplog: Any) -> None:
    user = make_user("officer", email="lost@example.org")
    enrolled(user)
    token = accounts.start_session(user, "")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "reset-two-factor", "LOST@example.org"])
    assert result.exit_code == 0, result.output
    assert "lost@example.org" in result.output
    db.session.refresh(user)
    assert not user.two_factor_enabled and user.session_generation == 2  # enrolled, reset
    assert accounts.user_for_session(f"{user.id}:1:{token}") is None  # its session ended
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0
    assert security_events(caplog, "two_factor.disabled")[-1]["by"] == "operator"
    unknown = runner.invoke(args=["users", "reset-two-factor", "nobody@example.org"])
    assert unknown.exit_code != 0 and "No account uses that email address" in unknown.output


def test_the_next_code_is_accepted_for_clocks_that_drift(make_user: Any) -> None:
    user = make_user()
    with freeze_time(T0):
        enrolled(user)
    with freeze_time(T0 + timedelta(minutes=2)):
        ahead = app_code(user, T0 + timedelta(minutes=2, seconds=30))
        behind = app_code(user, T0 + timedelta(minutes=1, seconds=30))
        too_far = app_code(user, T0 + timedelta(minutes=3))
        assert too_far not in (ahead, behind, app_code(user))
        with pytest.raises(ServiceError, match="not right"):
            two_factor.do_verify(user, too_far)
        assert two_factor.do_verify(user, behind) == "totp"
        assert two_factor.do_verify(user, ahead) == "totp"
        # The current step is now before the last one accepted: its code is refused.
        with pytest.raises(ServiceError, match="already been used"):
            two_factor.do_verify(user, app_code(user))



def _behind_our_back(statement: Any) -> None:
    """Write as another request would: this session's loaded objects do not see it."""
    db.session.execute(statement.execution_options(synchronize_session=False))


def test_a_code_another_request_just_used_is_refused(make_user: Any) -> None:
    """Two requests racing with one code: the database lets only one through."""
    user = make_user()
    with freeze_time(T0):
        enrolled(user)
    with freeze_time(T0 + timedelta(minutes=1)):
        code = app_code(user)
        assert user.totp_last_step is not None  # loaded, before the other request's write
        _behind_our_back(sa.update(type(user)).where(type(user).id == user.id)
                         .values(totp_last_step=user.totp_last_step + 2))
        with pytest.raises(ServiceError, match="already been used"):
            two_factor.do_verify(user, code)


def test_a_recovery_code_another_request_just_used_is_refused(make_user: Any) -> None:
    user = make_user()
    codes = enrolled(user)
    assert user.recovery_codes[0].used_at is None  # loaded, before the other request's write
    _behind_our_back(sa.update(RecoveryCode).values(used_at=T0))
    with pytest.raises(ServiceError, match="already been used"):
        two_factor.do_verify(user, codes[0])
