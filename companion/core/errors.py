"""Errors that services raise with a message fit to show the person who caused them."""
from companion.i18n import _


class CompanionError(Exception):
    """Base: the message is safe and plain enough to show on screen."""


class AccessDenied(CompanionError, PermissionError):
    pass


class NotFound(CompanionError, LookupError):
    pass


class InvalidInput(CompanionError, ValueError):
    pass


class TooLong(str):
    """A field's message that it is over its limit, with the count (made by
    `companion.core.textrules.too_long`): a `FormErrors` without a message of its own leads
    with it, so the count shows beside the Save button too, not only beside the field."""


class FormErrors(InvalidInput):
    """Several fields are wrong: `fields` maps each to a message shown beside it."""

    def __init__(self, fields: dict[str, str], message: str | None = None):
        self.fields = fields
        if message is None:
            long = [m for m in fields.values() if isinstance(m, TooLong)]
            if long:
                message = long[0] if len(fields) == 1 else (
                    f"{long[0]} " + _("Please check the other highlighted answers too."))
        super().__init__(message or _("Please check the highlighted answers: nothing was "
                                      "saved yet, and what you typed is still here."))


class StaleEdit(InvalidInput):
    """Someone saved this record since the form was opened; `changed` names what they
    changed there (readable names, e.g. "Mood" or a section's title), when that is known."""

    def __init__(self, message: str, changed: list[str] | None = None):
        self.changed = list(changed or [])
        super().__init__(message)


class ConfigError(CompanionError):
    """The server is set up wrongly (a missing or malformed key, an unsafe file mode): the
    message says what to change, in one line, for the operator."""


def row_error(errors: dict[str, str], key: str, row: int, message: str) -> None:
    """A bad row's own message, under `key.row` (`row` as the form numbers its rows, from
    0), and the section's: the row's message when it is the only bad row, else how many
    rows need a change."""
    errors[f"{key}.{row}"] = message
    bad = sum(1 for k in errors if k.startswith(f"{key}."))
    errors[key] = message if bad == 1 else f"{bad} rows need a change: each one says what."
