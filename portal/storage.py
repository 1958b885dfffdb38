"""The static files' storage in production: WhiteNoise's, each file's URL worked out once."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed, hashed files, with each name's URL kept once worked out.

    A `{% static %}` tag asks the manifest storage to parse, hash-look-up and join the name on
    every page; the answer cannot change while the process runs (the manifest is read once, at
    start), and a page names up to nine files.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[tuple[str, bool], str] = {}

    def url(self, name: str, force: bool = False) -> str:
        key = (name, force)
        if key not in self._urls:
            self._urls[key] = super().url(name, force)
        return self._urls[key]
