"""The reviewer's plan summary: per resource, the changed attributes, masked and cut to a page budget.

Unit tests on plan JSON shaped like ``terraform show -json``, and one plan of the real binary
(built-in ``terraform_data`` only, so no provider and no AWS).
"""

from __future__ import annotations

import json

from platform_ops.terraform.plan_diff import attribute_changes
from platform_ops.terraform.plan_summary import MAX_CHARS, MAX_RESOURCES, summarize_plan

from tests.terraform.test_cli import make_cli

SECRET = "hunter2-s3cr3t"
PLAN_AT = "`s3://artifacts/terraform/plans/core/manual__1/` (`tfplan`, `plan-summary.json`) and the plan log"


def _rc(address, actions, before=None, after=None, **masks):
    return {"address": address, "mode": "managed", "change": {"actions": actions, "before": before, "after": after, **masks}}


def _only(plan: dict) -> dict:
    (resource,) = summarize_plan(plan).resources
    return resource


def test_an_update_shows_each_changed_attribute_before_and_after():
    plan = {"resource_changes": [_rc(
        "aws_cloudwatch_log_group.platform", ["update"],
        {"name": "/platform/core", "retention_in_days": 30, "tags": {}, "tags_all": {"Team": "a"}},
        {"name": "/platform/core", "retention_in_days": 60, "tags": None, "tags_all": {"Team": "b"}},
        after_unknown={}, before_sensitive={}, after_sensitive={},
    )]}  # fmt: skip
    summary = summarize_plan(plan)
    assert summary.resources[0]["attributes"] == [
        {"path": "retention_in_days", "before": "30", "after": "60"},
        {"path": "tags_all.Team", "before": '"a"', "after": '"b"'},
    ]  # name is unchanged and tags null == {}: neither is listed
    page = summary.markdown("core")
    assert "| change | `aws_cloudwatch_log_group.platform` | `retention_in_days` | `30` → `60` |" in page
    assert '| | | `tags_all.Team` | `"a"` → `"b"` |' in page
    assert "`name`" not in page


def test_a_replacement_names_the_attribute_that_forces_it():
    plan = {"resource_changes": [
        {**_rc("aws_iam_role.job", ["delete", "create"],
               {"arn": "arn:aws:iam::1:role/a", "name": "a", "path": "/"}, {"name": "b", "path": "/"},
               after_unknown={"arn": True, "unique_id": True}, replace_paths=[["name"]]),
         "action_reason": "replace_because_cannot_update"},
        _rc("aws_s3_bucket.logs", ["update"], {"acl": "private"}, {"acl": "log-delivery-write"}),
    ]}  # fmt: skip
    summary = summarize_plan(plan)
    replace = summary.resources[0]  # replacements come first: a cut page never hides them
    assert replace["address"] == "aws_iam_role.job" and replace["replace_paths"] == ["name"]
    assert {"path": "name", "before": '"a"', "after": '"b"', "forces_replacement": True} in replace["attributes"]
    # a known value that terraform recomputes is shown; an empty one that is only computed is not
    assert {"path": "arn", "before": '"arn:aws:iam::1:role/a"', "after": "(known after apply)"} in replace["attributes"]
    assert not any(a["path"] == "unique_id" for a in replace["attributes"])
    page = summary.markdown("core")
    assert '| replace | `aws_iam_role.job` | `name` **forces replacement** | `"a"` → `"b"` |' in page
    assert '| | | `arn` | `"arn:aws:iam::1:role/a"` → (known after apply) |' in page


def test_a_replacement_without_replace_paths_says_why():
    plan = {"resource_changes": [{**_rc("aws_instance.web", ["delete", "create"], {"ami": "x"}, {"ami": "x"}),
                                  "action_reason": "replace_because_tainted"}]}  # fmt: skip
    assert "| replace | `aws_instance.web` | replaced because | `replace_because_tainted` |" in (
        summarize_plan(plan).markdown("core")
    )


def test_sensitive_values_are_masked_and_never_shown():
    plan = {"resource_changes": [
        _rc("aws_db_instance.main", ["update"],
            {"password": "old-" + SECRET, "port": 5432, "settings": [{"token": "t-" + SECRET, "n": 1}]},
            {"password": SECRET, "port": 5433, "settings": [{"token": SECRET, "n": 1}, {"token": SECRET, "n": 2}]},
            before_sensitive={"password": True, "settings": [{"token": True}]},
            after_sensitive={"password": True, "settings": [{"token": True}, {"token": True}]}),
        _rc("aws_secretsmanager_secret_version.api", ["update"],
            {"secret_string": "old-" + SECRET}, {"secret_string": SECRET},
            before_sensitive=True, after_sensitive=True),
    ]}  # fmt: skip
    summary = summarize_plan(plan)
    db = next(r for r in summary.resources if r["address"] == "aws_db_instance.main")
    assert {"path": "password", "before": "(sensitive value)", "after": "(sensitive value)"} in db["attributes"]
    assert {"path": "port", "before": "5432", "after": "5433"} in db["attributes"]
    page = summary.markdown("core")
    assert "`password` | (sensitive value) → (sensitive value) |" in page
    for text in (page, json.dumps(summary.as_dict())):
        assert SECRET not in text


def test_a_sensitive_value_is_masked_where_it_shows_up_unmarked():
    # a sensitive root variable copied into a plain attribute, and a marked value copied into another
    plan = {
        "configuration": {"root_module": {"variables": {"token": {"sensitive": True}, "name": {}}}},
        "variables": {"token": {"value": "tok-" + SECRET}, "name": {"value": "web"}},
        "resource_changes": [_rc("aws_instance.web", ["update"],
                                 {"user_data": "x", "input": "a-" + SECRET, "output": "a-" + SECRET, "name": "w"},
                                 {"user_data": "export TOKEN=tok-" + SECRET, "input": SECRET, "name": "web"},
                                 before_sensitive={"input": True}, after_sensitive={"input": True},
                                 after_unknown={"output": True})],
    }  # fmt: skip
    rows = {r["path"]: r for r in _only(plan)["attributes"]}
    assert rows["user_data"] == {"path": "user_data", "before": '"x"', "after": "(sensitive value)"}
    assert rows["output"] == {"path": "output", "before": "(sensitive value)", "after": "(known after apply)"}
    assert rows["name"]["after"] == '"web"'  # the plain variable is shown
    assert SECRET not in json.dumps(rows)


def test_long_values_are_shortened_with_their_full_length():
    policy = json.dumps({"Statement": [{"Action": f"s3:Get{i}", "Resource": "*"} for i in range(20)]})
    (row,) = attribute_changes({"before": {"policy": "{}"}, "after": {"policy": policy}})
    assert row["after"].endswith(f"… ({len(json.dumps(policy))} chars)")
    assert len(row["after"]) < 100


def test_markdown_survives_pipes_and_backticks_in_values():
    plan = {"resource_changes": [_rc("aws_ssm_parameter.p", ["update"], {"value": "a|b"}, {"value": "run `x`"})]}
    assert '| `"a\\|b"` → ``"run `x`"`` |' in summarize_plan(plan).markdown("core")


def test_an_oversized_plan_shows_the_first_resources_and_says_where_the_rest_is():
    plan = {"resource_changes": [
        _rc(f"aws_sqs_queue.q{i:03}", ["update"], {"delay_seconds": 0}, {"delay_seconds": 5}) for i in range(75)
    ]}  # fmt: skip
    page = summarize_plan(plan).markdown("core", PLAN_AT)
    assert page.count("| change |") == MAX_RESOURCES
    assert "`aws_sqs_queue.q059`" in page and "`aws_sqs_queue.q060`" not in page
    assert f"**15 of 75 resources are not shown** (this page shows at most {MAX_RESOURCES} resources" in page
    assert page.endswith(f"The full plan: {PLAN_AT}.")


def test_a_plan_of_few_large_resources_is_cut_by_characters():
    tags = {f"tag{i:02}": f"value-{i:02}" for i in range(30)}
    plan = {"resource_changes": [
        _rc(f"aws_s3_bucket.b{i:02}", ["update"], {"tags": tags}, {"tags": {k: v + "x" for k, v in tags.items()}})
        for i in range(20)
    ]}  # fmt: skip
    summary = summarize_plan(plan)
    assert len(summary.resources[0]["attributes"]) == 30  # plan-summary.json has them all
    page = summary.markdown("core", PLAN_AT)
    assert len(page) < MAX_CHARS + 1000
    assert "| | | … 10 more attribute(s) |" in page
    shown = page.count("| change |")
    assert 0 < shown < 20
    assert f"**{20 - shown} of 20 resources are not shown**" in page and PLAN_AT in page


def test_a_real_plan_of_an_update_a_replacement_and_a_sensitive_value(tmp_path):
    config = """
variable "greeting" { type = string }
variable "generation" { type = number }
variable "password" {
  type      = string
  sensitive = true
}
resource "terraform_data" "greeting" { input = var.greeting }
resource "terraform_data" "rotated" { triggers_replace = var.generation }
resource "terraform_data" "password" { input = var.password }
"""
    cli = make_cli(tmp_path, config)
    cli.plan("tfplan", variables={"greeting": "hello", "generation": 1, "password": "old-" + SECRET})
    cli.apply_plan("tfplan")
    cli.plan("tfplan", variables={"greeting": "hi", "generation": 2, "password": SECRET})
    summary = summarize_plan(cli.show_json("tfplan"))

    by_address = {r["address"]: r for r in summary.resources}
    assert by_address["terraform_data.rotated"]["action"] == "replace"
    assert by_address["terraform_data.rotated"]["replace_paths"] == ["triggers_replace"]
    page = summary.markdown("local")
    assert '| change | `terraform_data.greeting` | `input` | `"hello"` → `"hi"` |' in page
    assert '| | | `output` | `"hello"` → (known after apply) |' in page
    assert "| replace | `terraform_data.rotated` | `triggers_replace` **forces replacement** | `1` → `2` |" in page
    assert "| change | `terraform_data.password` | `input` | (sensitive value) → (sensitive value) |" in page
    # terraform marks the input only; its output holds the same value unmarked
    assert "| | | `output` | (sensitive value) → (known after apply) |" in page
    assert SECRET not in page and SECRET not in json.dumps(summary.as_dict())
