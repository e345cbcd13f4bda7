"""Records pickled as their field values (syndicate/pickling.py): what a worker sends is what the driver gets."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from syndicate.article import Article, ArticleInfo
from syndicate.pickling import pickled_as_tuples
from syndicate.verify import Link


@pytest.mark.parametrize("record", [
    Link(a="a", b="b", kind="excerpt", a_in_b=0.25, b_in_a=0.75, verbatim=0.125, edited=0.0625, paraphrased=0.0625,
         unquoted_words=31, passages=2, jaccard=0.0078125),
    ArticleInfo(title="T", outlet="afp.com", date="2018-07-16", url="https://x.test/1", credit="AFP", words=412,
                headline="Trump and Putin meet", furniture=(0, 5)),
    Article(id="002", paragraphs=("One.", "Two."), title=None, outlet="o", date=None, url="u"),
])
def test_each_record_comes_back_equal_with_every_field_in_its_place(record: object) -> None:
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        pickled = pickle.dumps(record, protocol=protocol)
        assert pickle.loads(pickled) == record
        # Rebuilt by the class's own constructor of field values, not through dataclasses' per-object __setstate__.
        assert b"_rebuild" in pickled
        assert b"__setstate__" not in pickled


def test_only_dataclasses_with_slots_are_taken() -> None:
    @dataclasses.dataclass(frozen=True)
    class WithoutSlots:
        x: int

    with pytest.raises(TypeError, match="slots=True"):
        pickled_as_tuples(WithoutSlots)


def test_a_subclass_left_undecorated_is_refused_rather_than_pickled_as_its_parent() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Parent:
        x: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class Child(Parent):
        y: int

    pickled_as_tuples(Parent)
    with pytest.raises(TypeError, match="decorate it"):
        Child(1, 2).__reduce__()
    pickled_as_tuples(Child)
    rebuild, values = Child(1, 2).__reduce__()
    assert rebuild(*values) == Child(1, 2)
