"""The one exception the command line turns into a single-line message and exit 2."""


class UsageError(Exception):
    """Bad input from the user: a file, an option, a model.  ``str()`` is the whole
    message.  A ``located`` one starts with ``file:line:col:`` and is printed as it is,
    so that editors and CI jump to the place; the others get an ``aioctx:`` prefix."""

    def __init__(self, message: str, located: bool = False) -> None:
        super().__init__(message)
        self.located = located
