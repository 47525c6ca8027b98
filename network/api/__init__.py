"""Thin REST views, split by topic: parse, call an action or selector, serialise."""
