"""The one error training's rules raise."""


class TrainingError(Exception):
    """The action does not apply as things stand; the message is for the user."""
