"""Two small Ovok clients for the weather guide: one that copes with every condition, one that
does not. Both are the code under test of ``test_weather.py``."""

from __future__ import annotations

import time
from typing import Any

import jwt
import requests

TENANT = "87ea5dfc-8b8e-384d-8489-79496e706390"


class AccountLocked(Exception):
    """The vendor refused the login for now; ``retry_after`` says for how many seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"the account is locked out; try again in {retry_after} seconds")
        self.retry_after = retry_after


class GoodClient:
    """Refreshes on a 401 and logs in again when the refresh is refused; retries a dropped
    connection, its own timeout and a 503 (after Retry-After, at most ``max_wait`` seconds);
    stops at a lockout. It never checks a token's times against its own clock."""

    def __init__(self, base_url: str, email: str, password: str, *, timeout: float = 1.0) -> None:
        self.base_url, self.email, self.password = base_url, email, password
        self.timeout, self.max_wait, self.attempts = timeout, 2.0, 3
        self.access: str | None = None
        self.refresh_token: str | None = None

    def profile(self) -> dict[str, str]:
        """The account's email, from ``GET /auth/me``."""
        if self.access is None:
            self._login()
        response = self._send("GET", "/auth/me", headers=self._bearer())
        if response.status_code == 401:  # expired or revoked: refresh, or log in again
            self.refresh()
            response = self._send("GET", "/auth/me", headers=self._bearer())
        response.raise_for_status()
        return {"email": response.json()["membership"]["user"]["display"]}

    def refresh(self) -> None:
        """A new token pair; a refused refresh token means a lost session: log in again."""
        response = self._send(
            "POST", "/auth/refresh-token", json={"refresh_token": self.refresh_token}
        )
        if response.status_code == 401:
            self._login()
            return
        response.raise_for_status()
        self.access, self.refresh_token = (
            response.json()["access_token"],
            response.json()["refresh_token"],
        )

    def _login(self) -> None:
        body = {
            "email": self.email,
            "password": self.password,
            "tenantId": TENANT,
            "clientId": TENANT,
        }
        response = self._send("POST", "/auth/b2b/login", json=body)
        if response.status_code == 429:
            raise AccountLocked(int(response.headers.get("Retry-After", "0")))
        response.raise_for_status()
        self.access, self.refresh_token = (
            response.json()["accessToken"],
            response.json()["refreshToken"],
        )

    def _bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access}"}

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        for attempt in range(1, self.attempts + 1):
            last = attempt == self.attempts
            try:
                response = requests.request(
                    method, self.base_url + path, timeout=self.timeout, **kwargs
                )
            except (requests.ConnectionError, requests.Timeout):
                if last:
                    raise
                continue
            if response.status_code == 503 and not last:
                time.sleep(min(float(response.headers.get("Retry-After", "1")), self.max_wait))
                continue
            return response
        raise AssertionError("unreachable")  # pragma: no cover


class NaiveClient:
    """Logs in once, trusts the first answer, and checks a token's times by its own clock."""

    def __init__(self, base_url: str, email: str, password: str) -> None:
        self.base_url, self.email, self.password = base_url, email, password
        self.access: str | None = None
        self.refresh_token: str | None = None

    def profile(self) -> dict[str, str]:
        """The account's email, from ``GET /auth/me``."""
        if self.access is None:
            body = {
                "email": self.email,
                "password": self.password,
                "tenantId": TENANT,
                "clientId": TENANT,
            }
            response = requests.post(f"{self.base_url}/auth/b2b/login", json=body, timeout=1.0)
            response.raise_for_status()
            self.access, self.refresh_token = (
                response.json()["accessToken"],
                response.json()["refreshToken"],
            )
            options: Any = {"verify_signature": False, "verify_exp": True, "verify_iat": True}
            jwt.decode(self.access, options=options)  # no leeway: its own clock decides
        response = requests.get(
            f"{self.base_url}/auth/me",
            headers={"Authorization": f"Bearer {self.access}"},
            timeout=1.0,
        )
        response.raise_for_status()
        return {"email": response.json()["membership"]["user"]["display"]}

    def refresh(self) -> None:
        """A new token pair."""
        response = requests.post(
            f"{self.base_url}/auth/refresh-token",
            json={"refresh_token": self.refresh_token},
            timeout=1.0,
        )
        response.raise_for_status()
        self.access, self.refresh_token = (
            response.json()["access_token"],
            response.json()["refresh_token"],
        )
