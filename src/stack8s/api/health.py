"""Liveness with a database check, and the version."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from stack8s import __version__
from stack8s.api.deps import AppState

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    database: Literal["ok", "busy", "down"]
    version: str


class Version(BaseModel):
    version: str


@router.get(
    "/health",
    response_model=Health,
    summary="Health check",
    responses={503: {"model": Health, "description": "the database is down (Retry-After says when to look again)"}},
)
async def health(state: AppState) -> JSONResponse:
    """200 with database 'ok' or 'busy' (every pooled connection in use: the service answers, slower);
    503 with database 'down' and Retry-After when the server cannot be reached. No token needed."""
    database = await state["db"].probe()
    if database == "down":
        return JSONResponse(
            status_code=503,
            content={"status": "unavailable", "database": "down", "version": __version__},
            headers={"Retry-After": "2"},
        )
    return JSONResponse(content={"status": "ok", "database": database, "version": __version__})


@router.get("/version", response_model=Version, summary="Service version")
async def version() -> dict[str, str]:
    """The version of the running service. No token needed."""
    return {"version": __version__}
