"""The zip archive Sweep runs a function from: an existing `.zip`, or one made from a folder or a single `.py`."""
import io
import os
import zipfile

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


def function_archive(path):
    """Returns the bytes of a zip for `path`: the file itself if it is a zip archive; a folder's files (relative
    names, so `main.py` lands at the root as `main.handler` expects); or a lone `.py` under its own name (SWEEP's
    `zip -g hello_world.zip main.py`: Sweep's local runtime calls `main.handler(event, context)`)."""
    if os.path.isdir(path):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for folder, subfolders, files in os.walk(path):
                subfolders[:] = sorted(d for d in subfolders if d != "__pycache__" and not d.startswith("."))
                for name in sorted(files):
                    if name.endswith(".pyc") or name.startswith("."):
                        continue
                    full = os.path.join(folder, name)
                    archive.write(full, os.path.relpath(full, path))
        return buffer.getvalue()
    with open(path, "rb") as f:
        content = f.read()
    if content[:4] in _ZIP_MAGIC:
        return content
    if path.endswith(".py"):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(os.path.basename(path), content)
        return buffer.getvalue()
    raise ValueError(f"{path}: a function's code must be a .zip archive, a folder or a .py file")
