"""The baseline of routed requests: a minimal aiohttp forwarder (``python -m bench.forwarder``).

It relays every request to ``--target`` + the same path and query, with the same method,
Authorization/OCPI headers and body, over one pooled client session, and hands the answer back.
No parsing, no database, no routing decision: what any hub must at least spend on two HTTP hops.
"""

from __future__ import annotations

import argparse

import aiohttp
from aiohttp import web

_DROP = {"host", "content-length", "connection", "transfer-encoding"}


def build(target: str) -> web.Application:
    """The forwarding application."""
    app = web.Application()

    async def start(app: web.Application) -> None:
        app["client"] = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))

    async def stop(app: web.Application) -> None:
        await app["client"].close()

    async def ready(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def forward(request: web.Request) -> web.Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _DROP}
        body = await request.read()
        client: aiohttp.ClientSession = request.app["client"]
        async with client.request(
            request.method,
            target + request.path_qs,
            headers=headers,
            data=body or None,
            allow_redirects=False,
        ) as answer:
            raw = await answer.read()
            return web.Response(
                body=raw,
                status=answer.status,
                content_type=answer.content_type,
            )

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    app.router.add_get("/-/ready", ready)
    app.router.add_route("*", "/{tail:.*}", forward)
    return app


def main() -> None:
    """Serve the forwarder on 127.0.0.1."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--target", required=True, help="base URL, e.g. http://127.0.0.1:9000")
    args = parser.parse_args()
    web.run_app(build(args.target.rstrip("/")), host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()
