"""`python -m bot teams package`: the zip a Teams admin uploads, checked against the published
manifest schema (v1.22, stored under schemas/ with its source)."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import jsonschema
import pytest

from bot.channels.teams.package import PackageError, manifest
from tests.channels.teams.conftest import SCHEMAS

ROOT = Path(__file__).resolve().parents[3]
APP_ID = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"


def package(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "teams", "package", *args, "--out", str(tmp_path / "app.zip")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def read_png(data: bytes) -> tuple[int, int, list[tuple[int, int, int, int]]]:
    """Width, height and RGBA pixels of a PNG as the package writes them (8-bit RGBA, no filter)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks: dict[bytes, bytes] = {}
    at = 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        assert struct.unpack(">I", data[at + 8 + length : at + 12 + length])[0] == zlib.crc32(kind + body)
        chunks[kind] = chunks.get(kind, b"") + body
        at += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 6)
    raw = zlib.decompress(chunks[b"IDAT"])
    pixels = []
    for y in range(height):
        row = raw[y * (width * 4 + 1) : (y + 1) * (width * 4 + 1)]
        assert row[0] == 0
        pixels += [tuple(row[1 + 4 * x : 5 + 4 * x]) for x in range(width)]
    return width, height, pixels  # type: ignore[return-value]


def test_the_package_holds_a_valid_manifest_and_both_icons(tmp_path: Path) -> None:
    done = package(tmp_path, "--app-id", APP_ID.upper(), "--name", "Wayfinder NHS")
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(tmp_path / "app.zip") as zipped:
        assert sorted(zipped.namelist()) == ["color.png", "manifest.json", "outline.png"]
        data = json.loads(zipped.read("manifest.json"))
        color = read_png(zipped.read("color.png"))
        outline = read_png(zipped.read("outline.png"))

    schema = json.loads((SCHEMAS / "teams-manifest-1.22.json").read_text())
    validator = jsonschema.Draft4Validator(schema)
    validator.validate(data)
    assert not validator.is_valid(data | {"bots": [data["bots"][0]] * 2})  # the schema does bite
    assert data["manifestVersion"] == "1.22"
    [bot] = data["bots"]
    assert bot["botId"] == APP_ID
    assert bot["scopes"] == ["personal", "team", "groupChat"]
    assert data["name"]["short"] == "Wayfinder NHS"
    assert data["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert "permissions" not in data  # no RSC: Teams sends channel messages only when Wayfinder is mentioned

    assert color[:2] == (192, 192)
    assert outline[:2] == (32, 32)
    assert set(outline[2]) == {(255, 255, 255, 255), (0, 0, 0, 0)}  # white on transparent, nothing else
    assert all(alpha == 255 for *_, alpha in color[2])  # the colour icon is opaque


def test_the_teams_app_id_is_stable_from_one_package_to_the_next(tmp_path: Path) -> None:
    details = {
        "name": "Wayfinder",
        "developer": "Wayfinder",
        "website": "https://www.cqc.org.uk",
        "privacy": "https://www.cqc.org.uk",
        "terms": "https://www.cqc.org.uk",
    }
    first = manifest(APP_ID, version="0.1.0", **details)
    again = manifest(APP_ID.upper(), version="0.2.0", **details)
    assert first["id"] == again["id"] != APP_ID


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["--app-id", "wayfinder-bot"], "a GUID"),
        (["--app-id", APP_ID, "--name", "Wayfinder for health and care innovators"], "1 to 30 characters"),
        (["--app-id", APP_ID, "--privacy", "http://example.org/privacy"], "--privacy must be an https://"),
    ],
)
def test_details_teams_would_refuse_are_refused_here(tmp_path: Path, args: list[str], problem: str) -> None:
    done = package(tmp_path, *args)
    assert done.returncode == 2
    assert problem in done.stderr
    assert not (tmp_path / "app.zip").exists()
    with pytest.raises(PackageError):
        manifest(
            args[1],
            name="x" * 31,
            developer="W",
            website="https://www.cqc.org.uk",
            privacy="https://www.cqc.org.uk",
            terms="https://www.cqc.org.uk",
            version="0.1.0",
        )
