"""What Step Functions' ``aws-sdk`` integrations accept, read from botocore's service models.

Step Functions spells members in "SDK v2" casing (``DbClusterIdentifier``, ``DbClusters``) while
botocore uses the service model's own names (``DBClusterIdentifier``). Lookups here are therefore
case-insensitive; error names are produced in the exact form Step Functions raises
(``Rds.DbClusterNotFoundException``) because Retry/Catch matching is exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import botocore.session
from botocore.exceptions import UnknownServiceError
from botocore.model import ListShape, MapShape, OperationModel, ServiceModel, Shape, StructureShape

AWS_SDK_PREFIX = "arn:aws:states:::aws-sdk:"

# Step Functions service names that differ from botocore's.
_SFN_TO_BOTOCORE = {
    "sfn": "stepfunctions",
    "cloudwatchlogs": "logs",
    "elasticloadbalancingv2": "elbv2",
    "elasticloadbalancing": "elb",
    "mediastoredata": "mediastore-data",
}

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z]|\d|$)|[A-Z]?[a-z]+|[A-Z]+|\d+")


def sfn_case(name: str) -> str:
    """SDK-v2 (Step Functions) spelling of a botocore member or shape name: ``DBClusters`` -> ``DbClusters``."""
    return "".join(word[:1].upper() + word[1:].lower() for word in _WORD.findall(name))


@cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@cache
def service_model(sfn_service: str) -> ServiceModel | None:
    """The botocore model behind a Step Functions service name (``rds``, ``sfn``...), or None."""
    name = _SFN_TO_BOTOCORE.get(sfn_service, sfn_service)
    try:
        return _session().get_service_model(name)
    except UnknownServiceError:
        return None


@dataclass(frozen=True)
class SdkTask:
    """An ``arn:aws:states:::aws-sdk:<service>:<action>`` resource resolved against botocore."""

    sfn_service: str
    action: str
    model: ServiceModel | None
    operation: OperationModel | None


def parse_resource(resource: str) -> SdkTask | None:
    """Resolve an aws-sdk resource ARN; None when the resource is not an aws-sdk integration."""
    if not isinstance(resource, str) or not resource.startswith(AWS_SDK_PREFIX):
        return None
    rest = resource[len(AWS_SDK_PREFIX) :]
    service, _, action = rest.partition(":")
    action = action.split(".", 1)[0]  # drop an integration pattern such as .waitForTaskToken
    model = service_model(service)
    operation = None
    if model is not None:
        by_lower = {name.lower(): name for name in model.operation_names}
        if action.lower() in by_lower:
            operation = model.operation_model(by_lower[action.lower()])
    return SdkTask(sfn_service=service, action=action, model=model, operation=operation)


def member(shape: Shape | None, name: str) -> tuple[str, Shape] | None:
    """``(botocore_name, shape)`` of a structure member matched case-insensitively."""
    if not isinstance(shape, StructureShape):
        return None
    wanted = name.lower()
    for member_name, member_shape in shape.members.items():
        if member_name.lower() == wanted:
            return member_name, member_shape
    return None


def item_shape(shape: Shape | None) -> Shape | None:
    return shape.member if isinstance(shape, ListShape) else None


def is_map(shape: Shape | None) -> bool:
    return isinstance(shape, MapShape)


def service_error_prefix(model: ServiceModel) -> str:
    """PascalCase service part of an error name: ``RDS`` -> ``Rds``, ``Secrets Manager`` -> ``SecretsManager``."""
    return "".join(word[:1].upper() + word[1:].lower() for word in model.service_id.split())


def sfn_error_name(model: ServiceModel, shape_name: str) -> str:
    """The error Step Functions raises for a modelled error: always ``<Service>.<Name>Exception``."""
    name = sfn_case(shape_name)
    if name.endswith("Fault"):
        name = name[: -len("Fault")]
    if not name.endswith("Exception"):
        name += "Exception"
    return f"{service_error_prefix(model)}.{name}"


@cache
def error_names(sfn_service: str) -> dict[str, str]:
    """``{step_functions_error_name: botocore_error_shape_name}`` for one service."""
    model = service_model(sfn_service)
    if model is None:
        return {}
    names = {sfn_error_name(model, shape.name): shape.name for shape in model.error_shapes}
    # Every aws-sdk integration can also raise the service's generic exception.
    names.setdefault(f"{service_error_prefix(model)}.{service_error_prefix(model)}Exception", "")
    return names
