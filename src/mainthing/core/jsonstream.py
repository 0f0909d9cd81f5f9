"""Reading big JSON files piece by piece: Watson frames (a top-level array) and Mainthing
exports (a top-level object whose "activities" array holds a million entries).

Both go through ijson's C backend (yajl), so a file is never held in memory whole. An array's
items are built in C (`array_items`); an object is walked member by member (`ObjectReader`),
with the value of each member built whole or, for a long array, item by item. Errors come out
as `BrokenJson` with a message for people.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any

import ijson

READ_SIZE = 1 << 16


class BrokenJson(Exception):
    """The text is not valid JSON (or ends too early); the message says where, in words."""


def _plain(value: Any) -> Any:
    """ijson reads non-integer numbers as Decimal (exact); the callers want what json.load
    gives."""
    return float(value) if isinstance(value, Decimal) else value


# yajl's messages, in words for people.
_YAJL_WORDS = {
    "premature EOF": "the file ends in the middle of a value",
    "trailing garbage": "there is more after the end of the JSON",
    "unallowed token at this point in JSON text": "something stands where it can't",
    "invalid bytes in UTF8 string": "the text is not UTF-8",
}


def _words(error: Exception) -> str:
    text = (str(error).strip() or type(error).__name__).splitlines()[0]
    text = text.removeprefix("parse error: ").removeprefix("lexical error: ").rstrip(".")
    return _YAJL_WORDS.get(text, text)


def first_character(handle: IO[bytes]) -> str:
    """The first character that is not white space ('' for an empty file); rewinds."""
    while True:
        piece = handle.read(READ_SIZE)
        if not piece:
            handle.seek(0)
            return ""
        stripped = piece.lstrip(b" \t\r\n\xef\xbb\xbf")
        if stripped:
            handle.seek(0)
            return stripped[:1].decode("latin-1")


def array_items(handle: IO[bytes]) -> Iterator[Any]:
    """The items of the top-level array, one at a time. Raises BrokenJson (after the items
    before the break) when the JSON is broken."""
    try:
        yield from ijson.items(handle, "item", use_float=True, buf_size=READ_SIZE)
    except ijson.JSONError as error:
        raise BrokenJson(_words(error)) from None


class ObjectReader:
    """The members of the top-level object, one at a time: `members()` yields each key, and
    before asking for the next the caller takes its value with `value()` or walks it with
    `items()` (which it must then read to the end)."""

    def __init__(self, handle: IO[bytes]):
        self._events = ijson.basic_parse(handle, use_float=True, buf_size=READ_SIZE)

    def _next(self) -> tuple[str, Any]:
        try:
            return next(self._events)
        except StopIteration:
            raise BrokenJson("the file ends in the middle of a value") from None
        except ijson.JSONError as error:
            raise BrokenJson(_words(error)) from None

    def members(self) -> Iterator[str]:
        event, _ = self._next()
        if event != "start_map":
            raise BrokenJson("the file is not a JSON object")
        while True:
            event, value = self._next()
            if event == "end_map":
                break
            yield value  # a map_key: the caller reads its value now
        try:
            extra = next(self._events, None)
        except ijson.JSONError as error:
            raise BrokenJson(_words(error)) from None
        if extra is not None:
            raise BrokenJson("there is more after the end of the object")

    def value(self) -> Any:
        event, value = self._next()
        return self._build(event, value)

    def _build(self, event: str, value: Any) -> Any:
        if event == "start_map":
            built = {}
            while True:
                event, key = self._next()
                if event == "end_map":
                    return built
                built[key] = self.value()
        if event == "start_array":
            built = []
            while True:
                event, value = self._next()
                if event == "end_array":
                    return built
                built.append(self._build(event, value))
        return _plain(value)

    def peek_is_array(self) -> bool:
        """Reads the start of the next value: True (and `items()` walks it) when it is an
        array; else the value is built and kept for `items()` to refuse."""
        event, value = self._next()
        if event == "start_array":
            return True
        self._build(event, value)
        return False

    def items(self) -> Iterator[Any]:
        """The items of the array whose start `peek_is_array` read. Flat objects (an export's
        entries) are built in one tight loop: this is where a million-entry file spends its
        reading time."""
        events = self._events
        build = self._build
        try:
            for event, value in events:
                if event == "end_array":
                    return
                if event != "start_map":
                    yield build(event, value)
                    continue
                item = {}
                for event, key in events:
                    if event == "end_map":
                        break
                    event, value = next(events)
                    if event == "start_map" or event == "start_array":
                        value = build(event, value)
                    elif type(value) is Decimal:
                        value = float(value)
                    item[key] = value
                yield item
        except ijson.JSONError as error:
            raise BrokenJson(_words(error)) from None
        except StopIteration:
            raise BrokenJson("the file ends in the middle of a value") from None
        raise BrokenJson("the file ends in the middle of a value")
