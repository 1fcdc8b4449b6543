"""A stand-in for an HPC job (seed 002): its input file `sample.in` says how many steps to run, the large artifact
`largefile.h5` is its data, and it writes one frame per 100 steps plus `output1.txt`. Sweep staged both inputs into
the working directory and keeps what matches `output_files` when the job ends (even if it fails)."""
import hashlib
import os
import re
import sys


def handler(event, context):
    with open("sample.in") as f:
        sample = f.read()
    nsteps = int(re.search(r"nsteps equal (\d+)", sample).group(1))
    digest = hashlib.sha256()
    with open("largefile.h5", "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    seed = digest.digest()
    frames = []
    for index in range(1, nsteps // 100 + 1):
        name = "frame_%03d.dat" % index
        size = 1000 * index + nsteps
        with open(name, "wb") as out:
            out.write((seed * (size // len(seed) + 1))[:size])
        frames.append({"name": name, "size": os.path.getsize(name)})
    with open("output1.txt", "w") as out:
        out.write("nsteps=%d frames=%d artifact_sha256=%s\n" % (nsteps, len(frames), digest.hexdigest()))
    # A function's prints are its standard error (its stdout carries the result): `sweep logs … --stderr`.
    print("ran %d steps, wrote %d frames" % (nsteps, len(frames)), file=sys.stderr)
    return {"nsteps": nsteps, "frames": frames}
