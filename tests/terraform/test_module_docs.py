"""Every module README's Inputs and Outputs tables match its .tf files (platform_ops.terraform.module_docs)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from platform_ops.terraform.module_docs import (
    BEGIN,
    COMMAND,
    END,
    HclError,
    main,
    module_dirs,
    parse_module,
    render,
    updated_readme,
)

REPO = Path(__file__).resolve().parents[2]
MODULES = REPO / "terraform" / "modules"
MODULE_DIRS = module_dirs(MODULES)


def test_every_module_has_a_readme():
    with_tf = sorted(d.name for d in MODULES.iterdir() if any(d.glob("*.tf")))
    assert [d.name for d in MODULE_DIRS] == with_tf


@pytest.mark.parametrize("module", MODULE_DIRS, ids=lambda d: d.name)
def test_readme_tables_are_up_to_date(module):
    readme = (module / "README.md").read_text(encoding="utf-8")
    assert BEGIN in readme and END in readme, f"{module.name}/README.md has no {BEGIN} … {END} markers"
    expected = updated_readme(readme, render(*parse_module(module)), module.name)
    assert readme == expected, (
        f"terraform/modules/{module.name}/README.md: the Inputs/Outputs tables are out of date; "
        f"run `{COMMAND}` from the repository root"
    )


@pytest.mark.parametrize("module", MODULE_DIRS, ids=lambda d: d.name)
def test_reader_finds_every_block(module):
    """The reader sees the same variable and output names as a line scan of the files."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(module.glob("*.tf")))
    variables, outputs = parse_module(module)
    assert [v.name for v in variables] == re.findall(r'^variable "([^"]+)"', text, re.MULTILINE)
    assert [o.name for o in outputs] == re.findall(r'^output "([^"]+)"', text, re.MULTILINE)
    assert all(v.description for v in variables), "every variable has a description"
    assert all(o.description for o in outputs), "every output has a description"


TRICKY = r"""
# a comment with a brace {
/* a block comment } with "quotes" */
variable "plain" {
  type        = string
  description = "A \"quoted\" word, a brace } and a ${var.x == "}" ? 1 : 2} template; $${literal}."
}

variable "inline" { type = number }

variable "heredoc" {
  description = <<-EOT
    First line with a } brace
      indented line
  EOT
  type = map(object({
    name = string # trailing comment
    port = optional(number, 5432)
  }))
  default = {
    a = { name = "x|y", port = 1 }
  }
  nullable = false

  validation {
    condition     = alltrue([for k, v in var.heredoc : v.port > 0])
    error_message = "ports are positive {}."
  }
}

// a line comment
output "out" {
  description = "Out."
  value       = { for k, v in var.heredoc : k => "${v.name}:${v.port}" }
  sensitive   = true
}

locals {
  x = "}"
}
"""


def test_reader_handles_strings_heredocs_comments_and_nesting(tmp_path):
    (tmp_path / "main.tf").write_text(TRICKY)
    variables, outputs = parse_module(tmp_path)
    plain, inline, heredoc = variables
    assert (
        plain.description == 'A "quoted" word, a brace } and a ${var.x == "}" ? 1 : 2} template; ${literal}.'
    )
    assert (plain.type, plain.default, plain.required) == ("string", None, True)
    assert (inline.type, inline.description, inline.required) == ("number", "", True)
    assert heredoc.description == "First line with a } brace\n  indented line"
    assert heredoc.type.splitlines()[0] == "map(object({"
    assert heredoc.type.splitlines()[-1] == "}))"
    assert heredoc.default == '{\n  a = { name = "x|y", port = 1 }\n}'
    assert not heredoc.required
    assert [(o.name, o.description) for o in outputs] == [("out", "Out.")]

    table = render(variables, outputs)
    assert '| `plain` | A "quoted" word' in table
    assert '<pre>{<br>  a = { name = "x\\|y", port = 1 }<br>}</pre>' in table, "pipes are escaped in cells"
    assert "| `inline` |  | `number` | n/a | yes |" in table


def test_reader_names_file_and_line_of_bad_hcl(tmp_path):
    (tmp_path / "variables.tf").write_text('variable "x" {\n  type = list(string\n}\n')
    with pytest.raises(HclError, match=r"variables\.tf:2: .\(. closed by .}."):
        parse_module(tmp_path)


def test_check_fails_on_a_stale_table_and_names_the_command(tmp_path, capsys):
    modules = tmp_path / "modules"
    shutil.copytree(MODULES / "kms", modules / "kms")
    variables_tf = modules / "kms" / "variables.tf"
    variables_tf.write_text(variables_tf.read_text().replace("Tags for the key.", "Tags for the key only."))

    assert main([str(modules), "--check"]) == 1
    captured = capsys.readouterr()
    assert "out of date" in captured.out and COMMAND in captured.err

    assert main([str(modules)]) == 0  # regenerates
    assert "Tags for the key only." in (modules / "kms" / "README.md").read_text()
    assert main([str(modules), "--check"]) == 0
