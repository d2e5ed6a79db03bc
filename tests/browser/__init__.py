"""The dashboard in a real headless Chromium (issue 16)."""
