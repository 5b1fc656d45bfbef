"""The Teams app package that a Teams admin uploads: manifest.json and two icons, zipped.

The manifest comes from the template beside this file (schema v1.22), filled in with the bot's
Entra app id and the publisher's details. The icons are drawn here, by a small PNG writer, so
the package needs no image files or libraries: a white signpost arrow on NHS blue (192 x 192),
and the same arrow in white on transparent (32 x 32), as Teams asks.
"""

from __future__ import annotations

import json
import re
import struct
import uuid
import zipfile
import zlib
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
TEAMS_APP_NAMESPACE = uuid.UUID("6e1f3c2a-8d4b-4f6e-9a1c-3b5d7e9f1a2c")
"""The Teams app id is derived from the bot's id, so it stays the same from one version to the next."""
BLUE = (0, 94, 184, 255)
WHITE = (255, 255, 255, 255)
CLEAR = (0, 0, 0, 0)

Pixel = tuple[int, int, int, int]


class PackageError(ValueError):
    """The package cannot be made from these details."""


def manifest(
    app_id: str, *, name: str, developer: str, website: str, privacy: str, terms: str, version: str
) -> dict[str, Any]:
    """The filled-in manifest; raises PackageError for an id or name Teams would refuse."""
    if not GUID.match(app_id):
        raise PackageError(f"--app-id must be the bot's Entra app (client) id, a GUID; got {app_id!r}")
    if not 0 < len(name) <= 30:
        raise PackageError(f"--name must be 1 to 30 characters (Teams' limit); got {len(name)}")
    for label, url in (("--website", website), ("--privacy", privacy), ("--terms", terms)):
        if not url.startswith("https://"):
            raise PackageError(f"{label} must be an https:// address; got {url!r}")
    data: dict[str, Any] = json.loads(resources.files(__package__).joinpath("manifest.json").read_text())
    data["version"] = version
    data["id"] = str(uuid.uuid5(TEAMS_APP_NAMESPACE, app_id.lower()))
    data["developer"] |= {
        "name": developer[:32],
        "websiteUrl": website,
        "privacyUrl": privacy,
        "termsOfUseUrl": terms,
    }
    data["name"] = {"short": name, "full": f"{name}: who to talk to about health and care innovation"[:100]}
    data["bots"][0]["botId"] = app_id.lower()
    return data


def png(width: int, height: int, pixel: Callable[[float, float], Pixel]) -> bytes:
    """An RGBA PNG; `pixel` gets coordinates scaled to 0..1 (pixel centres)."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # no filter
        for x in range(width):
            rows.extend(pixel((x + 0.5) / width, (y + 0.5) / height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def arrow(x: float, y: float) -> bool:
    """A signpost arrow pointing right, centred, within the middle of the square."""
    shaft = 0.22 <= x <= 0.58 and 0.42 <= y <= 0.58
    head = 0.56 <= x <= 0.80 and abs(y - 0.5) <= (0.80 - x) * 1.15
    post = 0.28 <= x <= 0.36 and 0.58 <= y <= 0.82
    return shaft or head or post


def color_icon() -> bytes:
    return png(192, 192, lambda x, y: WHITE if arrow(x, y) else BLUE)


def outline_icon() -> bytes:
    return png(32, 32, lambda x, y: WHITE if arrow(x, y) else CLEAR)


def write_package(path: Path, data: dict[str, Any]) -> Path:
    """The zip Teams admins upload: manifest.json and the icons at its root."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("manifest.json", json.dumps(data, indent=2, ensure_ascii=False))
        zipped.writestr(data["icons"]["color"], color_icon())
        zipped.writestr(data["icons"]["outline"], outline_icon())
    return path
