"""The one domain error. Services raise it with a message a person can read; views turn
it into a form error or a message. Apps subclass it for their own cases."""


class DomainError(Exception):
    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def add_to_form(self, form) -> None:
        """Show the message next to its field, or at the top of the form when the field is
        not one of the form's."""
        form.add_error(self.field if self.field in form.fields else None, self.message)
