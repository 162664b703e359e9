"""The forms convention: one base, text stripped by a filter (passwords as typed), every
form turning itself into its input; the one action helper for writes."""
import sqlalchemy as sa
from flask import get_flashed_messages

from portal.accounts.forms import ApiTokenForm, ChangePasswordForm
from portal.core.errors import DomainError
from portal.core.forms import Form, SubForm
from portal.core.models import Product
from portal.extensions import db
from portal.training.forms import QuestionForm
from portal.web.actions import domain_action


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_every_form_turns_itself_into_its_input(app):
    forms = [*_all_subclasses(Form), *_all_subclasses(SubForm)]
    assert len(forms) >= 25
    assert [f.__qualname__ for f in forms if f.to_input in (Form.to_input, SubForm.to_input)] == []


def test_text_is_stripped_but_passwords_are_taken_as_typed(app):
    data = {"name": "  CRM sync \n", "current": " old one ", "password": "  a new passphrase ",
            "confirm": "  a new passphrase ", "text": " Which? ", "kind": "single",
            "options-0-text": "  Yes ", "options-0-correct": "y", "options-1-text": " No"}
    with app.test_request_context(method="POST", data=data):
        assert ApiTokenForm(meta={"csrf": False}).to_input() == "CRM sync"
        passwords = ChangePasswordForm(meta={"csrf": False})
        assert passwords.validate() and passwords.to_input() == "  a new passphrase "
        assert passwords.current.data == " old one "
        question = QuestionForm(meta={"csrf": False})
        assert question.validate(), question.errors
        assert question.to_input().text == "Which?"
        assert question.to_input().options == [("Yes", True), ("No", False)]  # nested forms too


def _products() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Product))


def test_a_domain_error_rolls_back_and_lands_on_the_field(app):
    with app.test_request_context(method="POST", data={"name": "Sync"}):
        form = ApiTokenForm(meta={"csrf": False})
        assert form.validate()
        with domain_action(form, "name") as outcome:
            db.session.add(Product(name="Rolled Back"))
            db.session.flush()
            raise DomainError("Not like this.")
        assert not outcome.ok and form.name.errors == ["Not like this."]
        assert _products() == 0


def test_a_domain_error_without_a_form_is_flashed_and_success_commits(app):
    with app.test_request_context(method="POST"):
        with domain_action() as outcome:
            raise DomainError("Already approved.", field="ignored")
        assert not outcome.ok
        assert get_flashed_messages(with_categories=True) == [("error", "Already approved.")]
        with domain_action() as outcome:
            db.session.add(Product(name="Kept"))
        assert outcome.ok
        db.session.rollback()  # nothing left to undo: it was committed
        assert _products() == 1
