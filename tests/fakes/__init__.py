"""Fakes of the outside world that speak its protocol on loopback (tests only)."""
