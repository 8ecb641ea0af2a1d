# In a source account: forward the native events the central queue waits for to the central
# account's default bus (which admits this account through the module's event bus permission).

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "forward" {
  name               = "${var.name_prefix}-forward-events"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "forward" {
  statement {
    actions   = ["events:PutEvents"]
    resources = [var.central_event_bus_arn]
  }
}

resource "aws_iam_role_policy" "forward" {
  name   = "put-events-on-the-central-bus"
  role   = aws_iam_role.forward.id
  policy = data.aws_iam_policy_document.forward.json
}

resource "aws_cloudwatch_event_rule" "forward" {
  for_each = var.event_patterns

  name           = "${var.name_prefix}-forward-${each.key}"
  description    = "Forward native ${each.key} events to the central event queue's bus"
  event_bus_name = "default"
  event_pattern  = each.value
  tags           = var.tags
}

resource "aws_cloudwatch_event_target" "central" {
  for_each = var.event_patterns

  rule           = aws_cloudwatch_event_rule.forward[each.key].name
  event_bus_name = "default"
  target_id      = "central-bus"
  arn            = var.central_event_bus_arn
  role_arn       = aws_iam_role.forward.arn
}
