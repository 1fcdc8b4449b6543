"""Python client for Sweep.

- `SWEEPApiClient(user, key, url)`: the SWEEP documentation's client calls, answering in SWEEP's shape.
- `SweepClient(url, api_key)`: the whole REST API (v1), with `events(launch_id)` iterating over live events.
"""
__version__ = "0.1.0"

from .errors import SweepConnectionError, SweepError  # noqa: E402
from .event_stream import END_EVENTS, Event, EventStream  # noqa: E402
from .sweep_api_client import SWEEPApiClient  # noqa: E402
from .sweep_client import SweepClient  # noqa: E402

__all__ = ["SWEEPApiClient", "SweepClient", "SweepError", "SweepConnectionError", "Event", "EventStream",
           "END_EVENTS", "__version__"]
