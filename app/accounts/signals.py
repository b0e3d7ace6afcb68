"""Signals other features listen to (e.g. a juror invitation taking effect on registration)."""
from blinker import Namespace

_signals = Namespace()

# Sent inside the registering transaction, with ``user=``; receivers add rows, never commit.
user_registered = _signals.signal("user-registered")
