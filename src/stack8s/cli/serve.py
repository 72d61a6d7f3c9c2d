from __future__ import annotations

import typer
import uvicorn

from stack8s.settings import Settings


def serve(
    host: str = typer.Option(None, help="default: API_HOST or 127.0.0.1"),
    port: int = typer.Option(None, help="default: API_PORT or 8000"),
    workers: int = typer.Option(1, min=1, max=64, help="uvicorn worker processes (stateless; share one DB)"),
) -> None:
    """Apply migrations, load the shipped catalogs on first start, and serve the API."""
    settings = Settings()
    uvicorn.run(
        "stack8s.app:create_app",
        factory=True,
        host=host or settings.api_host,
        port=port or settings.api_port,
        workers=workers,
        log_config=None,
    )
