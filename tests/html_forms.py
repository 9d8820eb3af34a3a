"""Read the forms of a rendered page the way a browser would submit them.

``page_forms(html)`` returns every <form> with its method, action and the data a browser
would post if the person pressed its (first, or a named) submit button without touching
anything: text inputs and textareas as rendered, checked radios and checkboxes, the
selected options (or a select's first option), hidden fields; never disabled controls.
Tests use it to fetch an edit page and post it back unchanged (tests/test_edit_forms.py).
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser

SKIPPED_INPUTS = {"submit", "button", "reset", "image", "file"}


@dataclass
class PageForm:
    method: str
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    names: set[str] = field(default_factory=set)  # every named control, posted or not
    buttons: list[tuple[str, str]] = field(default_factory=list)  # named submit buttons

    def data(self, *, button: str | None = None) -> dict[str, list[str]]:
        """What pressing the submit button (the named one, or a plain one) posts."""
        posted: dict[str, list[str]] = {}
        for name, value in self.fields:
            posted.setdefault(name, []).append(value)
        if button is not None:
            for name, value in self.buttons:
                if name == button:
                    posted.setdefault(name, []).append(value)
                    break
            else:
                raise AssertionError(f"no submit button named {button!r} in the form")
        return posted


def _crlf(text: str) -> str:
    """Browsers submit every line break of a text field as CR LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._textarea: tuple[str, list[str]] | None = None
        self._select: dict | None = None
        self._option: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = PageForm(
                method=(a.get("method") or "get").lower(), action=a.get("action") or ""
            )
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = a.get("name")
        disabled = "disabled" in a
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            form.names.add(name)
            if kind == "submit":
                if not disabled:
                    form.buttons.append((name, a.get("value", "")))
            elif kind in SKIPPED_INPUTS or disabled:
                pass
            elif kind in {"checkbox", "radio"}:
                if "checked" in a:
                    form.fields.append((name, a.get("value", "on")))
            else:
                form.fields.append((name, _crlf(a.get("value", ""))))
        elif tag == "button" and name:
            form.names.add(name)
            if (a.get("type") or "submit").lower() == "submit" and not disabled:
                form.buttons.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            form.names.add(name)
            self._textarea = (name, []) if not disabled else None
        elif tag == "select" and name:
            form.names.add(name)
            self._select = {"name": name, "disabled": disabled, "options": [], "chosen": []}
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "text": [], "selected": "selected" in a}

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1].append(data)
        if self._option is not None:
            self._option["text"].append(data)

    def _close_option(self):
        option = self._option
        if option is None:
            return
        value = option["value"] if option["value"] is not None else "".join(option["text"])
        self._select["options"].append(value.strip() if option["value"] is None else value)
        if option["selected"]:
            self._select["chosen"].append(self._select["options"][-1])
        self._option = None

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, parts = self._textarea
            text = "".join(parts)
            # Browsers drop one newline straight after <textarea>.
            if text.startswith("\r\n"):
                text = text[2:]
            elif text.startswith("\n"):
                text = text[1:]
            self._form.fields.append((name, _crlf(text)))
            self._textarea = None
        elif tag == "option":
            self._close_option()
        elif tag == "select" and self._select is not None:
            self._close_option()
            select, self._select = self._select, None
            if self._form is None or select["disabled"]:
                return
            chosen = select["chosen"] or select["options"][:1]
            for value in chosen:
                self._form.fields.append((select["name"], value))


def page_forms(html: str) -> list[PageForm]:
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def page_form(html: str, *, having: str) -> PageForm:
    """The one form of the page with a control named ``having``."""
    found = [form for form in page_forms(html) if having in form.names]
    assert len(found) == 1, f"{len(found)} forms with a control named {having!r}"
    return found[0]
