"""Liveness with a database check, and the version."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from stack8s import __version__
from stack8s.api.deps import AppState

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(state: AppState) -> JSONResponse:
    try:
        async with state["pool"].connection(timeout=5) as conn:
            await conn.execute("SELECT 1")
    except Exception:
        return JSONResponse(status_code=503, content={"status": "unavailable", "database": "down"})
    return JSONResponse(content={"status": "ok", "database": "ok", "version": __version__})


@router.get("/version")
async def version() -> dict[str, str]:
    return {"version": __version__}
