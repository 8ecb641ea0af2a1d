"""Hooks and helpers for AWS calls the Amazon provider does not cover."""
