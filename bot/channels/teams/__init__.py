"""Microsoft Teams: the Microsoft 365 Agents SDK, Adaptive Cards, the app package."""
