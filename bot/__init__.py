"""Wayfinder: who to talk to about health and social care innovation in England."""
