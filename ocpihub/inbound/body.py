"""Reading a partner's JSON body: content type, size limit, JSON syntax — each a clear 2001."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Request

from ocpihub.errors import MalformedJson, PayloadTooLarge, UnsupportedMediaType

__all__ = ["read_json"]


async def read_json(request: Request) -> Any:
    """The parsed JSON body of ``request``.

    A body must come as ``application/json`` (a charset parameter is fine); an empty body, bad
    JSON, or a body over the size limit is refused with its own message.
    """
    content_type = request.headers.get("content-type", "")
    media = content_type.split(";", 1)[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        shown = content_type or "(none)"
        raise UnsupportedMediaType(
            f"Content-Type must be application/json for a request body, got {shown}"
        )
    limit = int(request.scope.get("state", {}).get("max_body_bytes", 1_048_576))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"request body is over the limit of {limit} bytes")
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        raise MalformedJson("request body is empty; a JSON value was expected")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise MalformedJson(f"request body is not valid JSON: {exc}") from None
