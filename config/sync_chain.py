"""The innermost middleware: sync-only, so that Django runs every middleware of a request on one
thread.

Under ASGI Django runs a middleware that can do both in the mode of the handler below it.
WhiteNoise can only run sync, so every middleware below it ran async, each handing its
process_request and process_response to a thread and back (17 hand-offs a page where 5 do),
about a millisecond of CPU on every page (bench/journey.py). With this last in MIDDLEWARE the
handler below WhiteNoise is sync too, and so is every middleware: the chain runs on one thread.
"""


class SyncMiddlewareChain:
    sync_capable = True
    async_capable = False

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
