"""A local cache of objects, for data read epoch after epoch: ``ObjectCache``
keeps whole objects on disk keyed by bucket, key and ETag; ``open_cached``
puts it in front of a reader."""

from .readers import open_cached
from .store import ObjectCache

__all__ = ["ObjectCache", "open_cached"]
