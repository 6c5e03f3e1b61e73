"""Test doubles that stand in for the network: an OpenAI-compatible model."""
