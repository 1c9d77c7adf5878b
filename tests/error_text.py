"""The check behind the bad-input tests: a call fails with the right error type and a message
that says what it should (the op, what was expected, what came)."""

import pytest


def assert_raises_with(error, call, *fragments):
    """`call()` must raise `error` (a subclass counts) whose message contains every fragment."""
    with pytest.raises(error) as caught:
        call()
    message = str(caught.value)
    missing = [fragment for fragment in fragments if fragment not in message]
    assert not missing, f"{missing} not in the message {message!r}"
