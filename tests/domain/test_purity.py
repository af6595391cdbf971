"""The domain layer stays pure: importing it pulls in no web framework and no database."""

import subprocess
import sys


def test_importing_the_domain_loads_neither_flask_nor_sqlalchemy() -> None:
    code = ("import pkgutil, importlib, sys, pb.domain as d\n"
            "for m in pkgutil.walk_packages(d.__path__, 'pb.domain.'):\n"
            "    importlib.import_module(m.name)\n"
            "bad = sorted(n for n in sys.modules if n.split('.')[0] in "
            "{'flask', 'sqlalchemy', 'flask_socketio', 'werkzeug'})\n"
            "print(','.join(bad))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == ""
