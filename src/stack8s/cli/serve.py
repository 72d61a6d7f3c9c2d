from __future__ import annotations

import os

import typer
import uvicorn

from stack8s.settings import Settings


def serve(
    host: str = typer.Option(None, help="default: API_HOST or 127.0.0.1"),
    port: int = typer.Option(None, help="default: API_PORT or 8000"),
    workers: int = typer.Option(
        None, min=1, max=64, help="uvicorn worker processes; default STACK8S_WORKERS, else one per CPU core"
    ),
) -> None:
    """Apply migrations, load the shipped catalogs on first start, and serve the API."""
    settings = Settings()
    uvicorn.run(
        "stack8s.app:create_app",
        factory=True,
        host=host or settings.api_host,
        port=port or settings.api_port,
        workers=workers or settings.workers or os.cpu_count() or 1,
        log_config=None,
    )
