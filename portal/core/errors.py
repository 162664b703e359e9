"""The one base class of the errors domain rules raise."""


class DomainError(Exception):
    """A rule refuses the action as things stand; the message is for the user. `field`
    names the input the refusal is about, when it is about one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field
