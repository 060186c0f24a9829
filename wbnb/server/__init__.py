"""``wbnb server``: runs, metrics and media over HTTP for several users and machines.

Needs the ``wbnb[server]`` extra (FastAPI, uvicorn, psycopg). Nothing here is
imported by ``import wbnb``; ``wbnb.store.remote`` is the client side.
"""
