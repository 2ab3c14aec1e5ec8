"""Errors that services raise with a message fit to show the person who caused them."""


class CompanionError(Exception):
    """Base: the message is safe and plain enough to show on screen."""


class AccessDenied(CompanionError, PermissionError):
    pass


class NotFound(CompanionError, LookupError):
    pass


class InvalidInput(CompanionError, ValueError):
    pass


class FormErrors(InvalidInput):
    """Several fields are wrong: `fields` maps each to a message shown beside it."""

    def __init__(self, fields: dict[str, str], message: str | None = None):
        self.fields = fields
        super().__init__(message or "Please check the highlighted answers: nothing was saved "
                         "yet, and what you typed is still here.")


class StaleEdit(InvalidInput):
    """Someone saved this record since the form was opened; `changed` names what they
    changed there (readable names, e.g. "Mood" or a section's title), when that is known."""

    def __init__(self, message: str, changed: list[str] | None = None):
        self.changed = list(changed or [])
        super().__init__(message)


class ConfigError(CompanionError):
    """The server is set up wrongly (a missing or malformed key, an unsafe file mode): the
    message says what to change, in one line, for the operator."""
