"""Channels: parse a platform's payload, call the core, render the reply."""
