"""`treadpace sync strava --authorize | --revoke`: link Strava to treadpace, or unlink it.

`--authorize` prints the link to Strava's approval page and waits for the browser
to come back on a loopback port; `--authorize --code CODE` takes a code pasted
from another device instead (a headless Pi). The tokens are kept 0600 in the
config dir. `--revoke` withdraws treadpace's access at Strava and deletes them.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from treadpace.base.printable import printable
from treadpace.base.user_error import UserError

if TYPE_CHECKING:
    from treadpace.plans.profile import Profile
    from treadpace.sync.credentials import StravaAccount

NEEDED_SCOPE = "activity:write"


def strava_account_command(
    profile: Profile, words: list[str], authorize: bool, revoke: bool, code: str | None
) -> int:
    from treadpace.sync.credentials import strava_account
    from treadpace.sync.failure import SyncError

    if words or (authorize and revoke):
        raise UserError("sync strava: expected --authorize [--code CODE] or --revoke alone")
    account = strava_account(profile.sync)
    try:
        if revoke:
            print(asyncio.run(_revoke(account, float(profile.sync.timeout_s))))
        else:
            print(asyncio.run(_authorize(account, code, float(profile.sync.timeout_s))))
    except SyncError as exc:
        raise UserError(str(exc)) from None
    return 0


def pasted_code(text: str) -> str:
    """The code alone, or taken from the whole address the browser landed on."""
    from urllib.parse import parse_qs, urlsplit

    text = text.strip()
    if "code=" in text:
        found = parse_qs(urlsplit(text).query or text).get("code", [""])[0]
        if found:
            return found
    if not text or any(c.isspace() for c in text):
        raise UserError("--code: expected the code= of the page Strava sent you to")
    return text


async def _authorize(account: StravaAccount, code: str | None, timeout_s: float) -> str:
    import aiohttp

    from treadpace.base.clock import RealClock
    from treadpace.sync.oauth_loopback import authorize_in_browser
    from treadpace.sync.strava_auth import StravaAuth, authorize_url

    clock = RealClock()
    scope = ""
    if code is not None:
        code = pasted_code(code)
    else:

        async def show(link: str) -> None:
            print("Open this link, approve treadpace, and come back here:")
            print(f"  {link}")
            print(
                "(On another device? Run again with --code CODE, the code= of the page it"
                " lands on.)",
                flush=True,
            )

        code, scope = await authorize_in_browser(
            clock, lambda uri, state: authorize_url(account, uri, state), show
        )
        if NEEDED_SCOPE not in scope.split(","):
            raise UserError(
                "Strava: uploads were not allowed; authorize again and keep"
                " 'Upload your activities' ticked"
            )
    async with aiohttp.ClientSession() as session:
        tokens = await StravaAuth(session, account, clock.wall, timeout_s).exchange_code(code)
    who = f" (athlete {printable(tokens.athlete)})" if tokens.athlete else ""
    return f"Strava: linked{who}; tokens kept in {account.token_file}"


async def _revoke(account: StravaAccount, timeout_s: float) -> str:
    import aiohttp

    from treadpace.base.clock import RealClock
    from treadpace.sync.failure import Failure, SyncError
    from treadpace.sync.strava_auth import StravaAuth
    from treadpace.sync.tokens import forget

    async with aiohttp.ClientSession() as session:
        auth = StravaAuth(session, account, RealClock().wall, timeout_s)
        if not auth.linked():
            return "Strava: not linked (nothing to revoke)"
        try:
            await auth.deauthorize()
        except SyncError as exc:
            if exc.kind is not Failure.AUTH:
                raise
            forget(account.token_file)
            return f"Strava: access was already revoked; {account.token_file} deleted"
    forget(account.token_file)
    return f"Strava: treadpace's access revoked; {account.token_file} deleted"
