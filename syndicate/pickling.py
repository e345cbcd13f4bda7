"""Records that cross between processes by the hundred thousand, pickled as their field values.

Pickle rebuilds a frozen dataclass with slots through the ``__setstate__`` that
:func:`dataclasses.dataclass` gives it, which looks the class's fields up again for every object: a scan's
workers send back every link (143,000 at a million articles) and every linked article's facts, and the
driver, where nothing runs in parallel, spent about 11 µs on each (a sampling profile of a 1M scan: about
4 CPU s). :func:`pickled_as_tuples` pickles an object as a call of a constructor made once per class, with
the tuple of its field values as arguments: 143,000 links unpickle in 0.6–0.9 s instead of 1.6 s, and pickle
in 0.4–0.7 s instead of 1.5 s (benchmarks/RESULTS.md §29).

Pickle only ever carries these between the scan's own processes (the local pool, Ray's workers); nothing
read from outside is unpickled.
"""

from __future__ import annotations

import dataclasses
import operator
from typing import Any, TypeVar

T = TypeVar("T")


def pickled_as_tuples(cls: type[T]) -> type[T]:
    """Pickle instances of `cls`, a dataclass made with ``slots=True`` (frozen or not, keyword-only fields
    allowed), as ``cls._rebuild(*field values)``: the constructor sets each slot through its descriptor, in
    code written for the class's fields (as :func:`dataclasses.dataclass` writes ``__init__``), without
    running ``__init__`` or ``__post_init__`` again."""
    if "__slots__" not in cls.__dict__ or not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls.__name__}: pickled_as_tuples takes a dataclass made with slots=True")
    names = tuple(field.name for field in dataclasses.fields(cls))
    namespace: dict[str, Any] = {"cls": cls, "new": object.__new__}
    namespace.update({f"set_{name}": getattr(cls, name).__set__ for name in names})  # the slots' descriptors
    body = "".join(f"    set_{name}(self, {name})\n" for name in names)
    exec(f"def _rebuild({', '.join(names)}):\n    self = new(cls)\n{body}    return self\n", namespace)
    rebuild = namespace["_rebuild"]
    rebuild.__module__, rebuild.__qualname__ = cls.__module__, f"{cls.__qualname__}._rebuild"  # found by pickle
    values = operator.attrgetter(*names) if len(names) > 1 else (lambda self: (getattr(self, names[0]),))

    def __reduce__(self: Any) -> tuple[Any, tuple[Any, ...]]:
        if type(self) is not cls:  # a subclass would come back as this class, without its own fields
            raise TypeError(f"{type(self).__name__} subclasses {cls.__name__}: decorate it with pickled_as_tuples")
        return rebuild, values(self)

    cls._rebuild = staticmethod(rebuild)  # type: ignore[attr-defined]
    cls.__reduce__ = __reduce__  # type: ignore[method-assign]
    return cls
