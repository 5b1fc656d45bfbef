"""The terminal channel: plain-text chat, and JSON for scripts."""
