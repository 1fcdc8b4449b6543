"""moto's S3 server (PyPI `moto[server]`) on a free loopback port, for the S3 blob-store backend; stopped by PID.

moto checks SigV4 signatures only once authentication is on: INITIAL_NO_AUTH_ACTION_COUNT lets the set-up below
(an IAM user with an allow-all policy, its access key, the bucket) run unauthenticated, and every request after it,
the worker's included, must then be signed with that key or is refused (403 SignatureDoesNotMatch)."""
import os
import shutil
import signal
import subprocess
import sys

import requests

from stack import free_port, wait_until

REGION = "us-east-1"
SETUP_ACTIONS = 4


class MotoS3:
    def __init__(self, workdir, bucket="sweep-artifacts"):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.bucket = bucket
        self.log = open(os.path.join(workdir, "moto.log"), "ab")
        executable = shutil.which("moto_server", path=os.path.dirname(sys.executable)) or shutil.which("moto_server")
        assert executable, "moto_server is missing: pip install -r Tests/requirements.txt (moto[server])"
        env = dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT=str(SETUP_ACTIONS))
        self.proc = subprocess.Popen([executable, "-H", "127.0.0.1", "-p", str(self.port)],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env)

        def up():
            assert self.proc.poll() is None, "moto_server exited; see " + self.log.name
            try:
                return requests.get(self.endpoint + "/moto-api/", timeout=2).status_code < 500
            except requests.RequestException:
                return False
        wait_until(up, timeout=60, what="moto_server")
        import boto3
        iam = boto3.client("iam", endpoint_url=self.endpoint, region_name=REGION,
                           aws_access_key_id="setup", aws_secret_access_key="setup")
        iam.create_user(UserName="sweep")
        iam.put_user_policy(UserName="sweep", PolicyName="all", PolicyDocument=(
            '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'))
        key = iam.create_access_key(UserName="sweep")["AccessKey"]
        self.access_key, self.secret_key = key["AccessKeyId"], key["SecretAccessKey"]
        self.client().create_bucket(Bucket=bucket)

    def client(self, secret=None):
        import boto3
        return boto3.client("s3", endpoint_url=self.endpoint, region_name=REGION,
                            aws_access_key_id=self.access_key, aws_secret_access_key=secret or self.secret_key)

    def keys(self):
        answer = self.client().list_objects_v2(Bucket=self.bucket)
        return [item["Key"] for item in answer.get("Contents", [])]

    def stack_env(self):
        """What a Sweep worker needs to keep its blobs in this bucket."""
        return {"SWEEP_BLOB_STORE": f"s3://{self.bucket}?endpoint={self.endpoint}&region={REGION}",
                "AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": self.secret_key}

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
