"""The core state machine: plain Python, no werkzeug, no pydantic, no HTTP."""
