"""`pb check-deploy` names every risky setting in a sentence, and exits 1 when there is one."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from pb.commands.check_deploy import check_deploy_command, risks

KEY = "k" * 64
SAFE = {"PB_ENV": "production", "SECRET_KEY": KEY, "PB_BASE_URL": "https://pb.example.org",
        "PB_REQUIRE_TWO_FACTOR": "1", "PB_SMTP_HOST": "smtp.example.org",
        "PB_DATABASE_URL": "postgresql+psycopg://pb@localhost/pb",
        "PB_REDIS_URL": "redis://localhost:6379/0", "PB_TRUSTED_PROXIES": "1"}


def with_catalogue(tmp_path: Path) -> Path:
    mo = tmp_path / "translations" / "cy" / "LC_MESSAGES" / "messages.mo"
    mo.parent.mkdir(parents=True)
    mo.write_bytes(b"compiled")
    return tmp_path


def test_a_careful_production_setup_has_no_risks(tmp_path: Path) -> None:
    assert risks(SAFE, processes=2, behind_proxy=True, root=with_catalogue(tmp_path)) == []


def test_each_risk_is_named(tmp_path: Path) -> None:
    root = with_catalogue(tmp_path)
    cases = {
        "PB_ENV is development": ({**SAFE, "PB_ENV": "development"}, 1, True),
        "SECRET_KEY is shorter": ({**SAFE, "SECRET_KEY": "short"}, 1, True),
        "SQLite and 2 server processes": ({**SAFE, "PB_DATABASE_URL": "sqlite:///x"}, 2, True),
        "without PB_REDIS_URL": ({k: v for k, v in SAFE.items() if k != "PB_REDIS_URL"}, 2,
                                 True),
        "FLASK_DEBUG is on": ({**SAFE, "FLASK_DEBUG": "1"}, 1, True),
        "PB_TRUSTED_PROXIES is 0": ({**SAFE, "PB_TRUSTED_PROXIES": "0"}, 1, True),
        "anyone could forge X-Forwarded-For": (SAFE, 1, False),
        "PB_SECURE_COOKIES is off": ({**SAFE, "PB_SECURE_COOKIES": "0"}, 1, True),
        "only kept in the admin outbox": ({**SAFE, "PB_SMTP_HOST": ""}, 1, True),
        "would travel over plain http": ({**SAFE, "PB_BASE_URL": "http://pb.example.org"}, 1,
                                         True),
        "PB_REQUIRE_TWO_FACTOR is off": ({**SAFE, "PB_REQUIRE_TWO_FACTOR": "0"}, 1, True),
        "PB_BASE_URL is not set": ({k: v for k, v in SAFE.items() if k != "PB_BASE_URL"}, 1,
                                   True),
    }
    for expected, (environ, processes, proxy) in cases.items():
        said = risks(environ, processes=processes, behind_proxy=proxy, root=root)
        assert len(said) == 1 and expected in said[0], (expected, said)


def test_missing_secret_and_catalogue(tmp_path: Path) -> None:
    no_key = {k: v for k, v in SAFE.items() if k != "SECRET_KEY"}
    (said,) = risks(no_key, processes=1, behind_proxy=True, root=with_catalogue(tmp_path))
    assert "SECRET_KEY is not set" in said
    (said,) = risks(SAFE, processes=1, behind_proxy=True, root=tmp_path / "no catalogues")
    assert "compiled cy catalogue is missing" in said


def test_outside_production_a_check_writes_no_secret(tmp_path: Path) -> None:
    said = risks({"PB_INSTANCE_PATH": str(tmp_path / "instance")}, processes=1,
                 behind_proxy=False, root=with_catalogue(tmp_path))
    assert any("SECRET_KEY is not in the environment" in s for s in said)
    assert not (tmp_path / "instance").exists()


def test_the_command_exits_1_on_a_risk_and_0_without() -> None:
    risky = CliRunner().invoke(check_deploy_command, ["--processes", "2"],
                               env={"PB_ENV": "development"})
    assert risky.exit_code == 1 and "- PB_ENV is development" in risky.output
    safe = CliRunner().invoke(check_deploy_command, ["--processes", "2", "--behind-proxy"],
                              env=SAFE)
    assert (safe.exit_code, safe.output) == (0, "No risky settings found.\n"), safe.output
