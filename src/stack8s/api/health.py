"""Liveness with a database check, and the version."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from stack8s import __version__
from stack8s.api.deps import AppState

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(state: AppState) -> JSONResponse:
    """200 with database 'ok' or 'busy' (every pooled connection in use: the service answers, slower);
    503 with database 'down' and Retry-After when the server cannot be reached."""
    database = await state["db"].probe()
    if database == "down":
        return JSONResponse(
            status_code=503,
            content={"status": "unavailable", "database": "down", "version": __version__},
            headers={"Retry-After": "2"},
        )
    return JSONResponse(content={"status": "ok", "database": database, "version": __version__})


@router.get("/version")
async def version() -> dict[str, str]:
    return {"version": __version__}
