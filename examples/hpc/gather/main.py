"""The gather step: reads the frames' sizes that every job reported and sums them per job and in all."""
import sys


def handler(event, context):
    jobs = event["predecessor_outputs"]["1"]
    if isinstance(jobs, dict):
        jobs = [jobs]
    per_job = {str(job["nsteps"]): sum(frame["size"] for frame in job["frames"]) for job in jobs}
    total = sum(per_job.values())
    print("frames of %d jobs: %d bytes" % (len(jobs), total), file=sys.stderr)
    return {"frame_bytes": per_job, "total_frame_bytes": total, "frames": sum(len(job["frames"]) for job in jobs)}
