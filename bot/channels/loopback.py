"""Serving a small aiohttp application on this machine (the platforms' local stand-ins)."""

from __future__ import annotations

from aiohttp import web


async def serve(app: web.Application, host: str, port: int = 0) -> tuple[web.AppRunner, int]:
    """Start `app` on host:port (port 0 picks a free one); the runner to clean up, and the port."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner, runner.addresses[0][1]
