"""Errors that services raise with a message fit to show the person who caused them."""


class CompanionError(Exception):
    """Base: the message is safe and plain enough to show on screen."""


class AccessDenied(CompanionError, PermissionError):
    pass


class NotFound(CompanionError, LookupError):
    pass


class InvalidInput(CompanionError, ValueError):
    pass
