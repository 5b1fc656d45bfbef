"""The core knows no channel, database, file format or model runtime (DESIGN.md, house style 1)."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = ("slack_bolt", "slack_sdk", "sqlalchemy", "alembic", "yaml", "aiohttp", "psycopg", "bot.storage",
             "bot.channels", "bot.content", "bot.wiring", "bot.settings",
             "onnxruntime", "tokenizers", "torch", "bot.semantic")  # fmt: skip


def test_core_imports_no_channel_storage_or_yaml_library() -> None:
    code = (
        "import sys, pkgutil, importlib, bot.core\n"
        "for m in pkgutil.walk_packages(bot.core.__path__, 'bot.core.'):\n"
        "    importlib.import_module(m.name)\n"
        f"forbidden = {FORBIDDEN!r}\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in forbidden or n.startswith(forbidden))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "", f"the core pulled in {out}"
