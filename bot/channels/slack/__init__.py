"""The Slack channel: a Bolt app (asyncio) served by aiohttp, or over Socket Mode."""
