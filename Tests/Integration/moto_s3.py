"""moto's S3 server (PyPI `moto[server]`) on a free loopback port, for the S3 blob-store backend; stopped by PID."""
import os
import shutil
import signal
import subprocess
import sys

import requests

from stack import free_port, wait_until

ACCESS_KEY = "sweep-test-access"
SECRET_KEY = "sweep-test-secret"
REGION = "us-east-1"


class MotoS3:
    def __init__(self, workdir, bucket="sweep-artifacts"):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.bucket = bucket
        self.log = open(os.path.join(workdir, "moto.log"), "ab")
        executable = shutil.which("moto_server", path=os.path.dirname(sys.executable)) or shutil.which("moto_server")
        assert executable, "moto_server is missing: pip install -r Tests/requirements.txt (moto[server])"
        self.proc = subprocess.Popen([executable, "-H", "127.0.0.1", "-p", str(self.port)],
                                     stdout=self.log, stderr=subprocess.STDOUT)

        def up():
            assert self.proc.poll() is None, "moto_server exited; see " + self.log.name
            try:
                return requests.get(self.endpoint + "/moto-api/", timeout=2).status_code < 500
            except requests.RequestException:
                return False
        wait_until(up, timeout=60, what="moto_server")
        self.client().create_bucket(Bucket=bucket)

    def client(self):
        import boto3
        return boto3.client("s3", endpoint_url=self.endpoint, region_name=REGION,
                            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)

    def keys(self):
        answer = self.client().list_objects_v2(Bucket=self.bucket)
        return [item["Key"] for item in answer.get("Contents", [])]

    def stack_env(self):
        """What a Sweep worker needs to keep its blobs in this bucket."""
        return {"SWEEP_BLOB_STORE": f"s3://{self.bucket}?endpoint={self.endpoint}&region={REGION}",
                "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
