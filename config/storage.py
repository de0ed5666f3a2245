"""Static files under content-hashed names, compressed, and linked to each other by those names."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's manifest storage, also rewriting ES module imports.

    room.js says `import … from "./live.js"`; without the rewrite the hashed room.<hash>.js
    would still load whatever live.js the server has now, which is how an old page would end
    up speaking an old protocol to a new server (or the reverse). Django rewrites static
    `import`/`export … from` and dynamic `import("…")` when this flag is on.
    """

    support_js_module_import_aggregation = True
