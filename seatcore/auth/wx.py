"""Moviegoer sign-in with wx.login: exchange the code for an openid.

``Code2Session`` calls WeChat's ``/sns/jscode2session`` (base URL configurable, so tests point it
at a local fake). The dev provider, on only when ``dev_login`` is set, signs in ``dev-NAME`` as
the moviegoer NAME without asking anyone: for the demo and the tests, never for production.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx

from seatcore.errors import LoginFailed, RateLimited, UpstreamUnavailable
from seatcore.settings import Settings

DEV_CODE = re.compile(r"^dev-([A-Za-z0-9_.-]{1,48})$")
# WeChat's documented errcodes for jscode2session.
_INVALID_CODE = {40029, 40163, 40226}
_RATE_LIMITED = {45011}


@dataclass(frozen=True, slots=True)
class WxIdentity:
    openid: str
    nickname: str = ""


class Code2Session:
    def __init__(self, base_url: str, appid: str, secret: str, timeout_s: float) -> None:
        self._appid = appid
        self._secret = secret
        self._client = httpx.AsyncClient(base_url=base_url, timeout=timeout_s)

    async def exchange(self, code: str) -> WxIdentity:
        params = {
            "appid": self._appid,
            "secret": self._secret,
            "js_code": code,
            "grant_type": "authorization_code",
        }
        try:
            response = await self._client.get("/sns/jscode2session", params=params)
            data = response.json()
        except (httpx.HTTPError, ValueError):
            raise UpstreamUnavailable("WeChat sign-in is not reachable, try again") from None
        errcode = data.get("errcode", 0) if isinstance(data, dict) else -1
        if errcode in _INVALID_CODE:
            raise LoginFailed("the wx.login code is invalid or used: call wx.login again")
        if errcode in _RATE_LIMITED:
            raise RateLimited("WeChat is limiting sign-ins, try again in a minute")
        openid = data.get("openid") if isinstance(data, dict) else None
        if errcode != 0 or not isinstance(openid, str) or not openid:
            raise UpstreamUnavailable("WeChat sign-in failed, try again", errcode=errcode)
        return WxIdentity(openid=openid)

    async def close(self) -> None:
        await self._client.aclose()


class WxLogin:
    """The providers in force: dev codes when enabled, code2session when configured."""

    def __init__(self, code2session: Code2Session | None, dev_enabled: bool) -> None:
        self._code2session = code2session
        self.dev_enabled = dev_enabled

    async def exchange(self, code: str) -> WxIdentity:
        match = DEV_CODE.match(code)
        if match and self.dev_enabled:
            name = match.group(1)
            return WxIdentity(openid=f"dev:{name}", nickname=name)
        if self._code2session is None:
            raise LoginFailed("WeChat sign-in is not configured on this service")
        return await self._code2session.exchange(code)

    async def close(self) -> None:
        if self._code2session is not None:
            await self._code2session.close()


def build_wx_login(settings: Settings) -> WxLogin:
    client = None
    if settings.wx_secret:
        client = Code2Session(
            settings.wx_api_base_url, settings.wx_appid, settings.wx_secret, settings.wx_timeout_s
        )
    return WxLogin(client, settings.dev_login)
