"""Rules of login sessions: ids, limits, and the few words that name a device."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pb.domain import sessions as rules

T0 = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)
STAFF = rules.Limits(absolute=timedelta(hours=12), idle=timedelta(hours=2))
RESIDENT = rules.Limits(absolute=timedelta(days=30), idle=None)


def test_a_session_id_has_three_parts_and_older_ids_name_no_session() -> None:
    token = "a" * 43
    assert rules.parse(f"12:3:{token}") == rules.SessionId(12, 3, token)
    for old_or_bad in ("12", "12:3", f"12:{token}", f"12:3:{token}:4", f"x:3:{token}",
                       f"12:-1:{token}", "12:3:short", f"12:3:{'a' * 42}!", f"12:３:{token}"):
        assert rules.parse(old_or_bad) is None, old_or_bad


def test_only_a_hash_of_the_token_is_kept() -> None:
    assert rules.token_hash("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")


def test_staff_are_admins_officers_and_anyone_with_two_factor() -> None:
    assert rules.is_staff({"resident", "admin"}, False)
    assert rules.is_staff({"resident", "officer"}, False)
    assert rules.is_staff({"resident"}, True)
    assert not rules.is_staff({"resident", "facilitator", "council"}, False)


def test_a_staff_session_runs_out_after_two_hours_idle_or_twelve_in_all() -> None:
    assert rules.ran_out(T0, T0 + timedelta(hours=10), T0 + timedelta(hours=11, minutes=59),
                         STAFF) is None
    assert rules.ran_out(T0, T0 + timedelta(hours=11), T0 + timedelta(hours=12),
                         STAFF) == "absolute"
    assert rules.ran_out(T0, T0, T0 + timedelta(minutes=119), STAFF) is None
    assert rules.ran_out(T0, T0, T0 + timedelta(minutes=120), STAFF) == "idle"


def test_a_residents_session_has_no_idle_limit_and_lasts_thirty_days() -> None:
    assert rules.ran_out(T0, T0, T0 + timedelta(days=29, hours=23), RESIDENT) is None
    assert rules.ran_out(T0, T0 + timedelta(days=29), T0 + timedelta(days=30),
                         RESIDENT) == "absolute"


def test_last_use_is_written_at_most_once_a_minute() -> None:
    assert not rules.due_a_touch(T0, T0 + timedelta(seconds=59))
    assert rules.due_a_touch(T0, T0 + timedelta(seconds=60))


def test_a_device_is_named_in_a_few_words() -> None:
    cases = {
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0":
            ("Firefox", "Windows"),
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1": ("Safari", "iPhone"),
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Mobile Safari/537.36": ("Chrome", "Android"),
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0": ("Edge", "macOS"),
        "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
        "SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36":
            ("Samsung Internet", "Android"),
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36": ("Chrome", "Linux"),
        "curl/8.5.0": ("", ""),
        "": ("", ""),
    }
    for agent, named in cases.items():
        assert rules.describe_device(agent) == named, agent
    for agent in cases:
        assert all(len(word) <= 30 for word in rules.describe_device(agent))
