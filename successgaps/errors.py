"""Errors whose message is one sentence a user can act on (shown as-is, never as a traceback)."""


class UserError(ValueError):
    """Bad input: the message says what is wrong and how to fix it."""


class StaleProjectError(UserError):
    """The project was saved elsewhere (another tab or window) after this copy was read."""
