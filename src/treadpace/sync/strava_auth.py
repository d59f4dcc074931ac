"""Strava's OAuth 2: the authorisation link, the code and refresh exchanges, the revoke.

Each runner registers their own API application; its client id and secret are
given once. The access token lives six hours and is refreshed before it expires
(`REFRESH_MARGIN_S`); each refresh may rotate the refresh token, and the new one
is kept at once. A refused refresh means the runner revoked treadpace (or the app
was deleted): one line saying to authorize again.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

import aiohttp

from treadpace.sync.credentials import StravaAccount
from treadpace.sync.failure import Failure, SyncError
from treadpace.sync.http import check, send
from treadpace.sync.tokens import Tokens, from_answer, load, save, seed_of

SERVICE = "strava"
SCOPE = "activity:write,activity:read"
REFRESH_MARGIN_S = 600.0
"""Refresh when the access token has less than this left: an upload and its polls fit."""


def authorize_url(account: StravaAccount, redirect_uri: str, state: str) -> str:
    query = urlencode(
        {
            "client_id": account.client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "approval_prompt": "auto",
            "scope": SCOPE,
            "state": state,
        }
    )
    return f"{account.url}/oauth/authorize?{query}"


class StravaAuth:
    """The token endpoint for one account, and the tokens kept for it."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        account: StravaAccount,
        wall: Callable[[], float],
        timeout_s: float = 30.0,
    ) -> None:
        self._session = session
        self.account = account
        self._wall = wall
        self._timeout = timeout_s
        self._tokens: Tokens | None = None

    def linked(self) -> bool:
        return self.account.refresh_token is not None or load(self.account.token_file) is not None

    async def access_token(self) -> str:
        """A token good for the next requests, refreshed (and kept) when it is near its end."""
        tokens = self._tokens or self._kept()
        if tokens.expires_within(self._wall(), REFRESH_MARGIN_S):
            tokens = await self._exchange(
                {"grant_type": "refresh_token", "refresh_token": tokens.refresh_token},
                tokens.seed,
            )
        self._tokens = tokens
        return tokens.access_token

    def _kept(self) -> Tokens:
        kept = load(self.account.token_file)
        seed = seed_of(self.account.refresh_token) if self.account.refresh_token else ""
        if kept is not None and (not seed or kept.seed == seed):
            return kept
        if self.account.refresh_token is None:
            raise SyncError(SERVICE, Failure.AUTH, "not linked yet")
        # A refresh token from the environment: expired on purpose, exchanged on first use.
        return Tokens("", self.account.refresh_token, 0.0, seed)

    async def exchange_code(self, code: str) -> Tokens:
        return await self._exchange({"grant_type": "authorization_code", "code": code}, "")

    async def _exchange(self, fields: dict[str, str], seed: str) -> Tokens:
        form = {
            "client_id": self.account.client_id,
            "client_secret": self.account.client_secret,
            **fields,
        }
        secrets = (self.account.client_secret, *fields.values())
        answer = await send(
            self._session,
            SERVICE,
            "POST",
            f"{self.account.url}/oauth/token",
            timeout_s=self._timeout,
            secrets=secrets,
            data=form,
        )
        if answer.status in (400, 401, 403):
            raise SyncError(SERVICE, Failure.AUTH, f"HTTP {answer.status}")
        tokens = from_answer(check(answer).json(), seed)
        if tokens is None:
            raise SyncError(SERVICE, Failure.BAD_ANSWER, "a token answer without tokens")
        save(self.account.token_file, tokens)
        return tokens

    async def deauthorize(self) -> None:
        """Revoke treadpace's access at Strava (the kept tokens are then deleted by the caller)."""
        token = await self.access_token()
        answer = await send(
            self._session,
            SERVICE,
            "POST",
            f"{self.account.url}/oauth/deauthorize",
            timeout_s=self._timeout,
            secrets=(token,),
            data={"access_token": token},
        )
        if answer.status != 401:  # already revoked is revoked
            check(answer)
