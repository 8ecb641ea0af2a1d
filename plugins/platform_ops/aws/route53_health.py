"""Route 53 health checks and DNS answers: status, inverting, TestDNSAnswer (no provider hook has them).

One AWS service (Route 53) over ``AwsBaseHook(client_type="route53")``. Inverting a health check
is how a drill makes Route 53 fail over: the check then counts the endpoint's success as a
failure. A *disabled* health check counts as healthy, and DNS keeps routing to it, so this hook
offers no way to disable one: ``set_inverted`` refuses a health check that is disabled.
"""

from __future__ import annotations

from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook

# Route 53 considers a health check healthy when more than 18% of its checkers report healthy.
HEALTHY_SHARE = 0.18


class Route53HealthHook(AwsBaseHook):
    def __init__(self, *args, **kwargs):
        kwargs["client_type"] = "route53"
        super().__init__(*args, **kwargs)

    def health_check_config(self, health_check_id: str) -> dict:
        """``{"inverted", "disabled", "version"}`` of the health check."""
        check = self.conn.get_health_check(HealthCheckId=health_check_id)["HealthCheck"]
        config = check["HealthCheckConfig"]
        return {
            "inverted": bool(config.get("Inverted")),
            "disabled": bool(config.get("Disabled")),
            "version": check["HealthCheckVersion"],
        }

    def status(self, health_check_id: str) -> dict:
        """``{"healthy", "checkers", "healthy_checkers"}``: healthy when more than 18% report success."""
        observations = self.conn.get_health_check_status(HealthCheckId=health_check_id)[
            "HealthCheckObservations"
        ]
        ok = [o for o in observations if o["StatusReport"]["Status"].startswith("Success")]
        share = len(ok) / len(observations) if observations else 0.0
        return {"healthy": share > HEALTHY_SHARE, "checkers": len(observations), "healthy_checkers": len(ok)}

    def set_inverted(self, health_check_id: str, inverted: bool) -> dict:
        """Invert (the fault) or restore a health check; refuses a disabled one (it stays healthy)."""
        current = self.health_check_config(health_check_id)
        if current["disabled"]:
            raise ValueError(
                f"health check {health_check_id} is disabled: Route 53 treats it as healthy whatever "
                "it sees, so inverting it changes nothing; enable it first"
            )
        response = self.conn.update_health_check(
            HealthCheckId=health_check_id, HealthCheckVersion=current["version"], Inverted=inverted
        )
        return {"request_id": response["ResponseMetadata"].get("RequestId"),
                "version": response["HealthCheck"]["HealthCheckVersion"]}  # fmt: skip

    def dns_answer(self, zone_id: str, record_name: str, record_type: str) -> dict:
        """What Route 53 answers now (TestDNSAnswer: public hosted zones only): ``{"values", "code"}``."""
        response = self.conn.test_dns_answer(
            HostedZoneId=zone_id, RecordName=record_name, RecordType=record_type
        )
        values = [v.rstrip(".") for v in response.get("RecordData", [])]
        return {"values": values, "code": response.get("ResponseCode")}
