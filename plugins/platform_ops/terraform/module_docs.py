"""Inputs and Outputs tables of every Terraform module README, generated from the module's .tf files.

Each ``terraform/modules/<name>/README.md`` holds its tables between two markers (the
terraform-docs convention)::

    <!-- BEGIN_TF_DOCS -->
    ...generated, do not edit...
    <!-- END_TF_DOCS -->

Regenerate every README from the repository root::

    python -m platform_ops.terraform.module_docs

``--check`` writes nothing and exits 1 naming each README whose tables are out of date.

The ``variable`` and ``output`` blocks are read by a small HCL reader that understands what can
hide a brace or a newline: quoted strings with escapes and ``${...}``/``%{...}`` templates,
heredocs (``<<EOT`` and ``<<-EOT``), and ``#``, ``//`` and ``/* */`` comments. Type and default are
shown as written in the source; tables keep the order of the source files.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from dataclasses import dataclass
from pathlib import Path

BEGIN = "<!-- BEGIN_TF_DOCS -->"
END = "<!-- END_TF_DOCS -->"
COMMAND = "python -m platform_ops.terraform.module_docs"

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n")
_OPEN = "([{"
_CLOSE = ")]}"


class HclError(ValueError):
    """The file is not HCL this reader understands; the message names the file and line."""


@dataclass(frozen=True)
class Variable:
    name: str
    description: str
    type: str | None
    default: str | None  # source text of the default; None when the variable has none

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class Output:
    name: str
    description: str


@dataclass(frozen=True)
class _Attribute:
    name: str
    expression: str  # source text, from after "=" to the end of the expression
    indent: int  # column of the attribute's name


@dataclass(frozen=True)
class _Block:
    type: str
    labels: tuple[str, ...]
    body: list[_Attribute | _Block]


class _Reader:
    """A cursor over one file's text; every method returns the index just past what it read."""

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source

    def fail(self, at: int, message: str) -> HclError:
        line = self.text.count("\n", 0, at) + 1
        return HclError(f"{self.source}:{line}: {message}")

    def comment_end(self, i: int) -> int | None:
        """End of the comment starting at ``i``, or None if there is no comment there."""
        text = self.text
        if text.startswith("#", i) or text.startswith("//", i):
            end = text.find("\n", i)
            return len(text) if end < 0 else end  # the newline itself is not part of the comment
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise self.fail(i, "unterminated /* comment")
            return end + 2
        return None

    def string_end(self, i: int) -> int:
        """``i`` is at an opening quote; return the index past the closing one."""
        text = self.text
        i += 1
        while i < len(text):
            char = text[i]
            if char == "\\":
                i += 2
            elif char == '"':
                return i + 1
            elif char == "\n":
                raise self.fail(i, "newline inside a quoted string")
            elif text.startswith(("$${", "%%{"), i):
                i += 3
            elif text.startswith(("${", "%{"), i):
                i = self.group_end(i + 1)
            else:
                i += 1
        raise self.fail(i, "unterminated string")

    def heredoc_end(self, i: int) -> int | None:
        """End of the heredoc starting at ``i`` (past its closing delimiter), or None."""
        match = _HEREDOC.match(self.text, i)
        if not match:
            return None
        delimiter = match.group(2)
        closing = re.compile(rf"^[ \t]*{delimiter}[ \t]*$", re.MULTILINE)
        found = closing.search(self.text, match.end())
        if not found:
            raise self.fail(i, f"heredoc {delimiter} is never closed")
        return found.end()

    def skip_atom(self, i: int) -> int | None:
        """Past the string, heredoc or comment at ``i``; None if ``i`` starts none of them."""
        if self.text[i] == '"':
            return self.string_end(i)
        if self.text.startswith("<<", i):
            return self.heredoc_end(i)
        return self.comment_end(i)

    def group_end(self, i: int) -> int:
        """``i`` is at an opening bracket; return the index past the matching closing one."""
        text = self.text
        stack = [i]  # positions of the open brackets
        i += 1
        while i < len(text):
            skipped = self.skip_atom(i)
            if skipped is not None:
                i = skipped
                continue
            char = text[i]
            if char in _OPEN:
                stack.append(i)
            elif char in _CLOSE:
                opened = stack.pop()
                if _OPEN[_CLOSE.index(char)] != text[opened]:
                    raise self.fail(opened, f"{text[opened]!r} closed by {char!r}")
                if not stack:
                    return i + 1
            i += 1
        raise self.fail(stack[-1], f"{text[stack[-1]]!r} is never closed")

    def expression_end(self, i: int) -> int:
        """Past the expression starting at ``i``: it ends at a newline (or the enclosing ``}``)
        outside brackets, strings and heredocs."""
        text = self.text
        while i < len(text):
            skipped = self.skip_atom(i)
            if skipped is not None:
                if self.comment_end(i) is not None:
                    return i  # a trailing comment ends the expression
                i = skipped
                continue
            char = text[i]
            if char in _OPEN:
                i = self.group_end(i)
            elif char == "\n" or char == "}":
                return i
            else:
                i += 1
        return i

    def skip_space(self, i: int, end: int) -> int:
        """Past whitespace, newlines and comments."""
        while i < end:
            if self.text[i] in " \t\r\n":
                i += 1
                continue
            skipped = self.comment_end(i)
            if skipped is None:
                return i
            i = skipped
        return i

    def body(self, i: int, end: int) -> list[_Attribute | _Block]:
        """The attributes and blocks between ``i`` and ``end`` (a file, or inside a block's braces)."""
        text = self.text
        items: list[_Attribute | _Block] = []
        while True:
            i = self.skip_space(i, end)
            if i >= end:
                return items
            name = _IDENT.match(text, i)
            if not name:
                raise self.fail(i, f"expected an attribute or a block, found {text[i : i + 20]!r}")
            indent = i - (text.rfind("\n", 0, i) + 1)
            i = name.end()
            while i < end and text[i] in " \t":
                i += 1
            if text.startswith("=", i) and not text.startswith("==", i):
                stop = self.expression_end(i + 1)
                items.append(_Attribute(name.group(), text[i + 1 : stop].strip(), indent))
                i = stop
                continue
            labels: list[str] = []
            while i < end and text[i] != "{":
                if text[i] == '"':
                    stop = self.string_end(i)
                    labels.append(_decode_string(text[i:stop]))
                    i = stop
                elif label := _IDENT.match(text, i):
                    labels.append(label.group())
                    i = label.end()
                elif text[i] in " \t":
                    i += 1
                else:
                    raise self.fail(i, f"unexpected {text[i]!r} in the header of block {name.group()!r}")
            if i >= end:
                raise self.fail(i, f"block {name.group()!r} has no body")
            stop = self.group_end(i)
            items.append(_Block(name.group(), tuple(labels), self.body(i + 1, stop - 1)))
            i = stop


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def _decode_string(literal: str) -> str:
    """The value of a quoted HCL string (escapes resolved; templates kept as written)."""
    out: list[str] = []
    i, body = 0, literal[1:-1]
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            code = body[i + 1]
            if code in _ESCAPES:
                out.append(_ESCAPES[code])
                i += 2
            elif code == "u" and i + 6 <= len(body):
                out.append(chr(int(body[i + 2 : i + 6], 16)))
                i += 6
            elif code == "U" and i + 10 <= len(body):
                out.append(chr(int(body[i + 2 : i + 10], 16)))
                i += 10
            else:
                out.append(char)
                i += 1
        elif body.startswith(("$${", "%%{"), i):
            out.append(body[i] + "{")
            i += 3
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _decode_heredoc(expression: str) -> str:
    match = _HEREDOC.match(expression)
    if not match:
        return expression
    lines = expression[match.end() :].splitlines()[:-1]  # the last line is the delimiter
    if match.group(1) == "-":
        indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
        cut = min(indents, default=0)
        lines = [line[cut:] for line in lines]
    return "\n".join(lines)


def _text_value(expression: str) -> str:
    """A description's text: the literal's value, or the expression as written."""
    if expression.startswith('"') and expression.endswith('"'):
        return _decode_string(expression)
    if expression.startswith("<<"):
        return _decode_heredoc(expression)
    return expression


def parse_module(directory: Path) -> tuple[list[Variable], list[Output]]:
    """Every ``variable`` and ``output`` block of the module's .tf files, in file and source order."""
    variables: list[Variable] = []
    outputs: list[Output] = []
    for path in sorted(directory.glob("*.tf")):
        text = path.read_text(encoding="utf-8")
        reader = _Reader(text, f"{directory.name}/{path.name}")
        for item in reader.body(0, len(text)):
            if not isinstance(item, _Block) or item.type not in ("variable", "output"):
                continue
            if len(item.labels) != 1:
                raise HclError(f"{directory.name}/{path.name}: {item.type} block needs exactly one label")
            attributes = {a.name: a for a in item.body if isinstance(a, _Attribute)}
            description = (
                _text_value(attributes["description"].expression) if "description" in attributes else ""
            )
            if item.type == "output":
                outputs.append(Output(item.labels[0], description))
                continue
            type_ = attributes.get("type")
            default = attributes.get("default")
            variables.append(
                Variable(
                    name=item.labels[0],
                    description=description,
                    type=_dedent(type_) if type_ else None,
                    default=_dedent(default) if default else None,
                )
            )
    return variables, outputs


def _dedent(attribute: _Attribute) -> str:
    """The expression with its continuation lines moved left by the attribute's own indentation."""
    first, *rest = attribute.expression.split("\n")
    cut = attribute.indent
    return "\n".join([first] + [line[cut:] if line[:cut].isspace() else line.lstrip() for line in rest])


def _cell_text(text: str) -> str:
    """Prose in a table cell: one line, HTML-escaped, pipes escaped."""
    return html.escape(" ".join(text.split()), quote=False).replace("|", "\\|")


def _cell_code(source: str | None) -> str:
    """Source text in a table cell: inline code, or a <pre> block when it spans lines."""
    if source is None:
        return "n/a"
    if "\n" not in source and "`" not in source:
        return f"`{source}`".replace("|", "\\|")
    lines = html.escape(source, quote=False).replace("|", "\\|").split("\n")
    return "<pre>" + "<br>".join(lines) + "</pre>"


def render(variables: list[Variable], outputs: list[Output]) -> str:
    """The generated block, markers included."""
    lines = [BEGIN, f"<!-- Generated by `{COMMAND}` from the module's .tf files: do not edit. -->", ""]
    lines.append("## Inputs")
    lines.append("")
    if variables:
        lines += ["| Name | Description | Type | Default | Required |", "|---|---|---|---|:---:|"]
        for v in variables:
            cells = [
                f"`{v.name}`",
                _cell_text(v.description),
                _cell_code(v.type or "any"),
                _cell_code(v.default),
            ]
            lines.append("| " + " | ".join(cells) + f" | {'yes' if v.required else 'no'} |")
    else:
        lines.append("No inputs.")
    lines += ["", "## Outputs", ""]
    if outputs:
        lines += ["| Name | Description |", "|---|---|"]
        lines += [f"| `{o.name}` | {_cell_text(o.description)} |" for o in outputs]
    else:
        lines.append("No outputs.")
    lines += ["", END]
    return "\n".join(lines)


def updated_readme(readme: str, block: str, source: str) -> str:
    """``readme`` with the text between its markers replaced by ``block``."""
    begin, end = readme.find(BEGIN), readme.find(END)
    if begin < 0 or end < begin:
        raise HclError(f"{source}: no {BEGIN} … {END} markers; add them where the tables belong")
    return readme[:begin] + block + readme[end + len(END) :]


def module_dirs(modules: Path) -> list[Path]:
    """Every module directory (one with a README.md and at least one .tf file)."""
    return sorted(d for d in modules.iterdir() if (d / "README.md").is_file() and any(d.glob("*.tf")))


def stale_readmes(modules: Path, write: bool = False) -> list[Path]:
    """READMEs whose generated block differs from the .tf files (rewritten when ``write``)."""
    stale = []
    for directory in module_dirs(modules):
        readme_path = directory / "README.md"
        readme = readme_path.read_text(encoding="utf-8")
        new = updated_readme(readme, render(*parse_module(directory)), f"{directory.name}/README.md")
        if new != readme:
            stale.append(readme_path)
            if write:
                readme_path.write_text(new, encoding="utf-8")
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n")[0])
    parser.add_argument(
        "modules",
        nargs="?",
        default="terraform/modules",
        type=Path,
        help="directory holding one folder per module (default: terraform/modules, from the repo root)",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a README is out of date"
    )
    args = parser.parse_args(argv)
    if not args.modules.is_dir():
        parser.error(
            f"{args.modules} is not a directory: run from the repository root or pass the modules folder"
        )
    try:
        stale = stale_readmes(args.modules, write=not args.check)
    except HclError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for path in stale:
        print(f"{'out of date' if args.check else 'updated'}: {path}")
    if args.check and stale:
        print(f"run `{COMMAND}` to regenerate", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
