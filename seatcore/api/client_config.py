"""``GET /api/v1/config``: what a client needs to know about this service before it signs in.

Today one fact: whether the dev sign-in provider is on (``dev_login``), so the mini-program in
WeChat DevTools against ``seatcore demo`` signs in with a ``dev-NAME`` code instead of a real
wx.login code the demo cannot exchange. A production service answers false.
"""

from __future__ import annotations

from pydantic import Field
from starlette.requests import Request

from seatcore.api._catalogue import TAG, JSONDoc, runtime_of
from seatcore.api._http import Answer, Endpoints

endpoints = Endpoints(TAG)


class ClientConfigOut(Answer):
    dev_login: bool = Field(description="whether `dev-NAME` codes sign in (the demo and tests only)")


@endpoints.get("/api/v1/config", "What a client needs to know before it signs in", answer=ClientConfigOut)
async def client_config(request: Request) -> JSONDoc:
    return {"dev_login": runtime_of(request).settings.dev_login}
