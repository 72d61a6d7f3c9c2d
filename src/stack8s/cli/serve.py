from __future__ import annotations

import os

import typer


def serve(
    host: str = typer.Option(None, help="default: API_HOST or 127.0.0.1"),
    port: int = typer.Option(None, help="default: API_PORT or 8000"),
    workers: int = typer.Option(
        None, min=1, max=64, help="uvicorn worker processes; default STACK8S_WORKERS, else one per CPU core"
    ),
) -> None:
    """Apply migrations, load the shipped catalogs on first start, and serve the API."""
    import uvicorn

    from stack8s.settings import Settings

    settings = Settings()
    count = workers or settings.workers or os.cpu_count() or 1
    # Each worker embeds search queries with torch; one thread per worker's share of the cores, so the
    # workers do not oversubscribe the CPU (inherited by the worker processes).
    os.environ.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // count)))
    uvicorn.run(
        "stack8s.app:create_app",
        factory=True,
        host=host or settings.api_host,
        port=port or settings.api_port,
        workers=count,
        log_config=None,
    )
