"""The CLI's exit codes are those docs/cli.md promises: 0 ok, 1 failed, 2 bad arguments or
settings (issue 18.3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_startup import _run


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("exit-codes")
    env = {"OCPIHUB_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'hub.db'}"}
    done = _run("-m", "ocpihub", "migrate", cwd=folder, env=env)
    assert done.returncode == 0, done.stderr
    added = _run(
        "-m", "ocpihub", "platform", "add", "Acme CPO", "--role", "CPO:NL:CPO", cwd=folder, env=env
    )
    assert added.returncode == 0, added.stderr
    return env


CASES = [
    (0, ["platform", "list"], {}, "Acme CPO"),
    (0, ["party", "list"], {}, "NL-CPO"),
    (2, ["platform", "list", "--bogus"], {}, "No such option"),
    (2, ["agreement", "add", "NL-CPO", "nonsense"], {}, "'nonsense' must be written CC-PID"),
    (2, ["agreement", "add", "NL-CPO", "DE-MSP", "--module", "nope"], {}, "nope not agreeable"),
    (2, ["platform", "add", "X", "--role", "CPO:NLD:ABC"], {}, "country_code 'NLD'"),
    (2, ["outbox", "list", "--status", "LOST"], {}, "status 'LOST' is not one of"),
    (2, ["outbox", "retry"], {}, "give either an item ID or --all-dead"),
    (2, ["party", "suspend", "NLCPO"], {}, "'NLCPO' must be written CC-PID"),
    (2, ["platform", "list"], {"OCPIHUB_PAGE_LIMIT": "many"}, "OCPIHUB_PAGE_LIMIT='many'"),
    (1, ["agreement", "add", "NL-CPO", "DE-MSP"], {}, "OCPI 2001: parties: DE-MSP is not a party"),
    (1, ["platform", "add", "Acme CPO"], {}, "OCPI 2001: name 'Acme CPO'"),
    (1, ["platform", "remove", "Nobody"], {}, "OCPI 2000: no platform named 'Nobody'"),
    (1, ["agreement", "remove", "99"], {}, "no agreement with id 99"),
    (1, ["outbox", "retry", "99"], {}, "no outbox item with id 99"),
]


@pytest.mark.parametrize(("code", "args", "extra_env", "says"), CASES)
def test_exit_code(
    database: dict[str, str],
    tmp_path: Path,
    code: int,
    args: list[str],
    extra_env: dict[str, str],
    says: str,
) -> None:
    """Each command exits with the documented code and says why."""
    done = _run("-m", "ocpihub", *args, cwd=tmp_path, env={**database, **extra_env})
    assert done.returncode == code, (done.stdout, done.stderr)
    assert says in (done.stdout if code == 0 else done.stderr)
