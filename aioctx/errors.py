"""The one exception the command line turns into a single-line message and exit 2."""


class UsageError(Exception):
    """Bad input from the user: a file, an option, a model.  ``str()`` is the whole
    message, already prefixed with ``file:line:col:`` where there is a file."""
