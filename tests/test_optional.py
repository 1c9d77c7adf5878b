"""neuronet.optional.import_optional: the module when it imports, else an error that names who
needs it and the install command, of the class asked for."""

import sys

import pytest

from neuronet.optional import import_optional
from neuronet.viz import PlotsUnavailable


def test_returns_the_module():
    assert import_optional("json", "a test", "nothing to install") is sys.modules["json"]


@pytest.mark.parametrize("error", [ImportError, PlotsUnavailable])
def test_missing_module_names_who_and_how_to_install(monkeypatch, error):
    monkeypatch.setitem(sys.modules, "not_here_pkg", None)  # makes the import fail
    with pytest.raises(error, match=r"the KNN demo needs the optional package 'not_here_pkg'"
                                    r".*Install it with: pip install not-here") as info:
        import_optional("not_here_pkg", "the KNN demo", "pip install not-here", error)
    assert isinstance(info.value.__cause__, ImportError)
