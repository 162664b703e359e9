"""The one error training's rules raise."""
from portal.core.errors import DomainError


class TrainingError(DomainError):
    """The action does not apply as things stand; the message is for the user."""
