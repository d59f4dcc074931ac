"""The one error type a user sees: a single line, no traceback, exit code 2.

Anything that comes from bad input (a YAML file, a command-line value, a hex
string) is raised as `UserError` with a message that names the file, the field
and what was expected. The CLI prints it on stderr as `error: <message>`.
"""


class UserError(Exception):
    """Bad input from the user. `str(err)` is the complete one-line message."""

    exit_code = 2
