#!/usr/bin/env python3
"""Calls the ml_pipeline backend workflow with the Python client (pip install ./clients/python).

    SWEEP_URL=http://127.0.0.1:8080 SWEEP_API_KEY=… python3 examples/backend/call.py
"""
import json
import os

from sweep_client import SweepClient, SweepError

client = SweepClient(os.environ["SWEEP_URL"], os.environ["SWEEP_API_KEY"])
rows = [{"x": 1, "y": 3.1}, {"x": 2, "y": 4.9}, {"x": 3, "y": 7.2}, {"x": None, "y": 0}]
answer = client.call("ml_pipeline", method="POST", params={"scale": 2, "epochs": 5}, json={"rows": rows})
print(json.dumps(answer, indent=2))
try:
    client.call("ml_pipeline", json={"rows": [{"x": 1, "y": 1}]})
except SweepError as error:
    print("refused:", error.status, error.code, error.message)  # 422 rejected_by_interceptor
