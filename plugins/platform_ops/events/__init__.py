"""Event-driven waits: AWS native events through SQS, with a Describe backstop (see trigger)."""
