"""The matchers on AWS's documented sample events (fixtures/) and on variants of them."""

from __future__ import annotations

import copy
import json
from datetime import UTC

from platform_ops.events import matching

from tests.events.conftest import fixture

SFN_ARN = "arn:aws:states:us-east-1:012345678912:execution:state-machine-name:execution-name"
STARTED = 1551225146847 / 1000  # the sample's detail.startDate
TASK_ARN = "arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/c13b4cb40f1f4fe4a2971f76ae5a47ad"


def body(event: dict) -> str:
    return json.dumps(event)


def test_parse_envelope_reads_the_sqs_body_and_an_sns_wrapper():
    event = fixture("sfn_execution_succeeded.json")
    assert matching.parse_envelope(body(event)) == event
    wrapped = {"Type": "Notification", "Message": body(event)}
    assert matching.parse_envelope(body(wrapped)) == event
    for junk in ("not json", "[]", '{"detail": {}}', body({"source": "x", "detail-type": "y"})):
        assert matching.parse_envelope(junk) is None


def test_timestamps_of_the_three_services():
    assert matching.to_epoch(1551225146847) == 1551225146.847
    assert matching.to_epoch("2019-10-02T17:04:40Z") == 1570035880.0
    assert matching.to_epoch("2019-10-02T17:04:40.989+0000") == 1570035880.989
    assert matching.to_epoch("2020-01-23T17:57:34.402Z") == 1579802254.402
    assert matching.to_epoch("yesterday") is None


def test_sfn_sample_events_end_a_wait_on_their_execution():
    succeeded = matching.match_sfn_execution(fixture("sfn_execution_succeeded.json"), SFN_ARN, STARTED)
    assert succeeded is not None and succeeded.status == "SUCCEEDED" and succeeded.source == "event"
    assert succeeded.changed_at == 1551225151.881  # stopDate
    failed = matching.match_sfn_execution(fixture("sfn_execution_failed.json"), SFN_ARN, STARTED)
    assert failed is not None and failed.status == "FAILED"


def test_sfn_other_execution_running_or_cloudtrail_events_do_not_match():
    event = fixture("sfn_execution_succeeded.json")
    assert matching.match_sfn_execution(event, SFN_ARN + "-2", STARTED) is None
    running = copy.deepcopy(event)
    running["detail"]["status"] = "RUNNING"
    assert matching.match_sfn_execution(running, SFN_ARN, STARTED) is None
    cloudtrail = copy.deepcopy(event)
    cloudtrail["detail-type"] = "AWS API Call via CloudTrail"
    assert matching.match_sfn_execution(cloudtrail, SFN_ARN, STARTED) is None


def test_sfn_event_of_an_earlier_execution_with_the_same_name_never_matches():
    event = fixture("sfn_execution_succeeded.json")
    newer_start = STARTED + 3600  # the same name (same ARN) was started again an hour later
    assert matching.match_sfn_execution(event, SFN_ARN, newer_start) is None
    assert matching.is_sfn_event_for(event, SFN_ARN)  # but it is about that ARN: the wait consumes it
    assert matching.match_sfn_execution(event, SFN_ARN, STARTED) is not None  # same start: matches


def test_ecs_stopped_matches_and_running_does_not():
    stopped = matching.match_ecs_task(fixture("ecs_task_state_change_stopped.json"), TASK_ARN)
    assert stopped is not None and stopped.status == "STOPPED"
    assert stopped.changed_at == matching.to_epoch("2020-01-23T17:58:31.103Z")
    assert matching.match_ecs_task(fixture("ecs_task_state_change_running.json"), TASK_ARN) is None
    assert matching.is_ecs_event_for(fixture("ecs_task_state_change_running.json"), TASK_ARN)
    assert matching.match_ecs_task(fixture("ecs_task_state_change_stopped.json"), TASK_ARN + "0") is None


def test_alarm_matches_name_state_and_time():
    event = fixture("cloudwatch_alarm_state_change.json")
    changed = matching.to_epoch("2019-10-02T17:04:40.989+0000")
    hit = matching.match_alarm(event, {"ServerCpuTooHigh", "Other"}, "ALARM", changed - 60)
    assert hit is not None and hit.resource == "ServerCpuTooHigh" and hit.changed_at == changed
    assert matching.match_alarm(event, {"Other"}, "ALARM", None) is None
    assert matching.match_alarm(event, {"ServerCpuTooHigh"}, "OK", None) is None
    assert (
        matching.match_alarm(event, {"ServerCpuTooHigh"}, "ALARM", changed + 1) is None
    )  # older than the wait


def test_describe_answers_become_the_same_outcomes():
    from datetime import datetime

    stop = datetime(2026, 1, 1, tzinfo=UTC)
    described = {"executionArn": SFN_ARN, "status": "TIMED_OUT", "stopDate": stop, "startDate": stop}
    outcome = matching.sfn_describe_outcome(described)
    assert (
        outcome.status == "TIMED_OUT"
        and outcome.source == "describe"
        and outcome.changed_at == stop.timestamp()
    )
    assert matching.sfn_describe_outcome({**described, "status": "RUNNING"}) is None
    assert (
        matching.ecs_describe_outcome({"tasks": [{"taskArn": TASK_ARN, "lastStatus": "RUNNING"}]}, TASK_ARN)
        is None
    )
    missing = matching.ecs_describe_outcome(
        {"tasks": [], "failures": [{"arn": TASK_ARN, "reason": "MISSING"}]}, TASK_ARN
    )
    assert missing.status == "MISSING"
    alarms = {
        "MetricAlarms": [{"AlarmName": "a", "StateValue": "OK"}, {"AlarmName": "b", "StateValue": "ALARM"}]
    }
    assert matching.alarm_describe_outcome(alarms, {"a", "b"}, "ALARM").resource == "b"
    assert matching.alarm_describe_outcome(alarms, {"a"}, "ALARM") is None
