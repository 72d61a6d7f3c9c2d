"""The HTTP boundary: /api/v1 routers, health, and the web page."""

from fastapi import APIRouter

from stack8s.api import chat, offers, stream, tools

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(chat.router)
api_router.include_router(stream.router)
api_router.include_router(tools.router)
api_router.include_router(offers.router)
