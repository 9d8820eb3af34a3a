"""The one domain error. Services raise it with a message a person can read; views turn
it into a form error or a message. Apps subclass it for their own cases."""


class DomainError(Exception):
    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
