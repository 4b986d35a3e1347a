"""manifest.json: every file of an exported folder with its size and SHA-256, so the loader knows
the download total before the first byte and checks each file before it opens a session.

    python3 -m rag_export.manifest DIR [DIR ...]   (from tools/: (re)writes DIR/manifest.json)
"""

from __future__ import annotations

import hashlib
import json
import os
import sys

MANIFEST = "manifest.json"
FORMAT = "rag-web-manifest/1"
# Written after the manifest, or not read by the loader.
SKIP = {MANIFEST, "export_report.json", "README.md"}


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_manifest(folder):
    files = {}
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(root, name)
            rel = os.path.relpath(path, folder).replace(os.sep, "/")
            if rel in SKIP:
                continue
            files[rel] = {"size": os.path.getsize(path), "sha256": sha256_file(path)}
    with open(os.path.join(folder, MANIFEST), "w") as f:
        json.dump({"format": FORMAT, "files": files}, f, indent=1)
        f.write("\n")
    return files


if __name__ == "__main__":
    for d in sys.argv[1:]:
        print(d, len(write_manifest(d)), "files")
