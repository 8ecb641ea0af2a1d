"""The local AWS plays Route 53 health and DNS failover (moto cannot).

Stock moto 5.2 stores a health check's ``Inverted`` and ``Disabled`` flags but nothing acts on
them, has no ``TestDNSAnswer``, and publishes no ``HealthCheckStatus``. ``install()`` patches
moto in the server process, as AWS documents the flags:

- a health check's **status** is what its checkers see (the local endpoints always answer 200),
  inverted when ``Inverted``; a ``Disabled`` health check is **always healthy**, whatever the
  endpoint does ("Route 53 continues to route traffic to the corresponding resources"): a drill
  must invert, never disable. ``GetHealthCheckStatus`` reports that status in its observations
  (``Success: …`` / ``Failure: …``);
- when an ``UpdateHealthCheck`` changes the status, after ``DETECTION_SECONDS`` the
  ``HealthCheckStatus`` alarms of that health check (``AWS/Route53``, dimension
  ``HealthCheckId``, in us-east-1 where Route 53 publishes the metric) go to ALARM or back to
  OK, through moto's own ``SetAlarmState`` path (so their state-change events reach the queues);
- ``TestDNSAnswer`` answers a failover record set from the records and the health checks: the
  PRIMARY's value while its health check is healthy, else the SECONDARY's when that is healthy,
  else the PRIMARY's (Route 53 answers the primary when both are unhealthy); a record without
  failover routing answers its own value; an unknown name ``NXDOMAIN``.
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)

DETECTION_SECONDS = 1.0
METRIC_REGION = "us-east-1"
TEST_DNS_PATH = r"{0}/(?P<api_version>[\d_-]+)/testdnsanswer$"


def healthy(health_check) -> bool:
    """The status Route 53 routes on: the checkers' result, inverted when Inverted; Disabled is healthy."""
    if health_check.disabled:
        return True
    endpoint_ok = True  # the local endpoints always answer
    return endpoint_ok != bool(health_check.inverted)


_alarms_lock = threading.Lock()


def _set_alarms(account_id: str, health_check) -> None:
    """Move the check's HealthCheckStatus alarms to what the check is *now* (timers may fire out of order)."""
    from moto.cloudwatch.models import cloudwatch_backends

    state = "OK" if healthy(health_check) else "ALARM"
    backend = cloudwatch_backends[account_id][METRIC_REGION]
    with _alarms_lock:
        for alarm in list(backend.alarms.values()):
            dims = {d.name: d.value for d in alarm.dimensions or []}
            if alarm.namespace == "AWS/Route53" and dims.get("HealthCheckId") == health_check.id:
                if alarm.state_value != state:
                    reason = f"local AWS: health check {health_check.id} is {'un' if state == 'ALARM' else ''}healthy"
                    backend.set_alarm_state(alarm.name, reason, None, state)


def _after_update(account_id: str, health_check, was_healthy: bool) -> None:
    if healthy(health_check) == was_healthy:
        return
    timer = threading.Timer(DETECTION_SECONDS, _set_alarms, (account_id, health_check))
    timer.daemon = True
    timer.start()


def answer(backend, zone_id: str, name: str, record_type: str) -> dict:
    """What Route 53 would answer for ``name``/``record_type`` in the zone."""
    zone = backend.get_hosted_zone(zone_id)
    wanted = name.rstrip(".").lower()
    records = [r for r in zone.rrsets if r.name.rstrip(".").lower() == wanted and r.type == record_type]
    base = {"Nameserver": "ns-local.awsdns.test", "RecordName": name, "RecordType": record_type,
            "Protocol": "UDP"}  # fmt: skip
    if not records:
        return {**base, "RecordData": [], "ResponseCode": "NXDOMAIN"}
    by_role = {r.failover: r for r in records if r.failover}
    chosen = records[0]
    if by_role:

        def ok(record) -> bool:
            check = backend.health_checks.get(record.health_check_id) if record.health_check_id else None
            return check is None or healthy(check)

        primary, secondary = by_role.get("PRIMARY"), by_role.get("SECONDARY")
        chosen = primary if primary is not None and ok(primary) else None
        if chosen is None:
            chosen = secondary if secondary is not None and ok(secondary) else (primary or secondary)
    values = [r["Value"] if isinstance(r, dict) else r for r in chosen.records or []]
    return {**base, "RecordData": [v.rstrip(".") for v in values], "ResponseCode": "NOERROR"}


def install() -> None:
    """Patch moto's Route 53 (idempotent)."""
    from moto.core.responses import ActionResult
    from moto.core.utils import utcnow
    from moto.route53 import urls
    from moto.route53.models import Route53Backend
    from moto.route53.responses import Route53

    if getattr(Route53, "_platform_ops_health", False):
        return
    urls.url_paths[TEST_DNS_PATH] = Route53.dispatch
    original_update = Route53Backend.update_health_check

    def update_health_check(self, health_check_id, health_check_args):
        check = self.health_checks.get(health_check_id)
        was = healthy(check) if check is not None else True
        updated = original_update(self, health_check_id, health_check_args)
        _after_update(self.account_id, updated, was)
        return updated

    def get_health_check_status(self):
        check = self.backend.get_health_check(self._get_param("HealthCheckId"))
        status = (
            "Success: HTTP Status Code 200, OK"
            if healthy(check)
            else "Failure: the health check is inverted: the endpoint's success counts as a failure"
        )
        observation = {"Region": METRIC_REGION, "IPAddress": "127.0.13.37",
                       "StatusReport": {"Status": status, "CheckedTime": utcnow()}}  # fmt: skip
        return ActionResult({"HealthCheckObservations": [observation]})

    def test_dns_answer(self):
        query = {k.lower(): v[0] for k, v in self.querystring.items()}
        return ActionResult(
            answer(self.backend, query["hostedzoneid"], query["recordname"], query["recordtype"])
        )

    Route53Backend.update_health_check = update_health_check
    Route53.get_health_check_status = get_health_check_status
    Route53.test_dns_answer = test_dns_answer
    Route53._platform_ops_health = True
