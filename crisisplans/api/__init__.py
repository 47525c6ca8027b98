"""Thin REST views, split by topic: parse, call a selector or action, serialise."""
