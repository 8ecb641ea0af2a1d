"""Parse Step Functions intrinsic functions (``States.Format('{}', $.a)``) to check names and arity."""

from __future__ import annotations

from dataclasses import dataclass, field

# name -> (minimum arguments, maximum arguments or None for "any number")
ARITY: dict[str, tuple[int, int | None]] = {
    "States.Format": (1, None),
    "States.StringToJson": (1, 1),
    "States.JsonToString": (1, 1),
    "States.Array": (0, None),
    "States.ArrayPartition": (2, 2),
    "States.ArrayContains": (2, 2),
    "States.ArrayRange": (3, 3),
    "States.ArrayGetItem": (2, 2),
    "States.ArrayLength": (1, 1),
    "States.ArrayUnique": (1, 1),
    "States.Base64Encode": (1, 1),
    "States.Base64Decode": (1, 1),
    "States.Hash": (2, 2),
    "States.JsonMerge": (3, 3),
    "States.MathRandom": (2, 3),
    "States.MathAdd": (2, 2),
    "States.StringSplit": (2, 2),
    "States.UUID": (0, 0),
}
HASH_ALGORITHMS = {"MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"}


class IntrinsicSyntaxError(ValueError):
    """The text looks like an intrinsic call but cannot be parsed."""


@dataclass
class Call:
    name: str
    args: list = field(default_factory=list)  # Call | Path | Literal


@dataclass
class Path:
    text: str


@dataclass
class Literal:
    value: object


def is_intrinsic(text: object) -> bool:
    return isinstance(text, str) and text.startswith("States.")


def parse(text: str) -> Call:
    """Parse one intrinsic call; raises IntrinsicSyntaxError on malformed text."""
    parser = _Parser(text)
    call = parser.call()
    parser.skip_spaces()
    if parser.pos != len(text):
        raise IntrinsicSyntaxError(f"unexpected text after the call: {text[parser.pos :]!r}")
    return call


def walk(call: Call):
    """Yield the call and every nested call."""
    yield call
    for arg in call.args:
        if isinstance(arg, Call):
            yield from walk(arg)


def paths(call: Call) -> list[str]:
    """Every JSONPath argument of the call and its nested calls."""
    found = []
    for node in walk(call):
        found.extend(arg.text for arg in node.args if isinstance(arg, Path))
    return found


def placeholder_count(template: str) -> int:
    """Unescaped ``{}`` placeholders in a States.Format template."""
    count, i = 0, 0
    while i < len(template):
        if template[i] == "\\":
            i += 2
            continue
        if template.startswith("{}", i):
            count += 1
            i += 2
            continue
        i += 1
    return count


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] == " ":
            self.pos += 1

    def call(self) -> Call:
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] in "._"):
            self.pos += 1
        name = self.text[start : self.pos]
        if not name.startswith("States.") or self.pos >= len(self.text) or self.text[self.pos] != "(":
            raise IntrinsicSyntaxError(f"expected States.<Function>( at {self.text[start:]!r}")
        self.pos += 1
        args = []
        self.skip_spaces()
        if self.pos < len(self.text) and self.text[self.pos] == ")":
            self.pos += 1
            return Call(name, args)
        while True:
            self.skip_spaces()
            args.append(self.argument())
            self.skip_spaces()
            if self.pos >= len(self.text):
                raise IntrinsicSyntaxError(f"unterminated call {name}")
            if self.text[self.pos] == ",":
                self.pos += 1
                continue
            if self.text[self.pos] == ")":
                self.pos += 1
                return Call(name, args)
            raise IntrinsicSyntaxError(f"unexpected {self.text[self.pos]!r} in {name}")

    def argument(self):
        char = self.text[self.pos] if self.pos < len(self.text) else ""
        if char == "'":
            return Literal(self.string())
        if char == "$":
            return Path(self.path())
        if self.text.startswith("States.", self.pos):
            return self.call()
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in ",)":
            self.pos += 1
        token = self.text[start : self.pos].strip()
        if token in ("true", "false", "null"):
            return Literal({"true": True, "false": False, "null": None}[token])
        try:
            return Literal(float(token) if "." in token else int(token))
        except ValueError as exc:
            raise IntrinsicSyntaxError(f"cannot read argument {token!r}") from exc

    def string(self) -> str:
        self.pos += 1
        out = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "\\" and self.pos + 1 < len(self.text):
                out.append(self.text[self.pos : self.pos + 2])
                self.pos += 2
                continue
            if char == "'":
                self.pos += 1
                return "".join(out)
            out.append(char)
            self.pos += 1
        raise IntrinsicSyntaxError("unterminated string literal")

    def path(self) -> str:
        start, depth, quote = self.pos, 0, None
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if quote:
                if char == quote:
                    quote = None
            elif char in "'\"":
                quote = char
            elif char in "[(":
                depth += 1
            elif char in "])":
                if depth == 0:
                    break
                depth -= 1
            elif char == "," and depth == 0:
                break
            self.pos += 1
        return self.text[start : self.pos].strip()
