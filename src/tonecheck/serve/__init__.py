"""`tonecheck serve`: the check service helpdesk apps call before a reply is sent.

- ``command``: what `tonecheck serve` does (options, the socket, uvicorn);
- ``app``: the ASGI application: middleware, error bodies, the draft page;
- ``routes``: the `/v1` endpoints and `/healthz`;
- ``models``: request and error bodies (the report itself is
  ``tonecheck.models.ReportDocument``, the CLI's wire format);
- ``security``: the bearer token;
- ``pool`` and ``worker``: checks run in worker processes, so one that takes
  too long can be stopped without stopping the service;
- ``static/``: the draft page.

This is a front end: nothing in the engine imports it.
"""
