"""A socket.io client that is not ours: Debian's python-socketio, over WebSocket only.

Usage: python-watcher.py URL CLUSTER_ID FRAMES [ORIGIN]
Connects with a display name, joins the cluster, reads FRAMES frame events and prints one JSON
line: {"joined": ..., "ticks": [...], "frames": [...]}; or {"error": "..."} when it cannot connect.
ORIGIN, when given, is sent as the Origin header instead of the one the library derives.
"""
import json
import sys
import threading

import socketio
import websocket

url, cluster_id, wanted = sys.argv[1], sys.argv[2], int(sys.argv[3])
origin = sys.argv[4] if len(sys.argv) > 4 else None
if origin:
    # websocket-client sends "Origin: http://<host:port>" unless told another one; a header of
    # our own would make two.
    create_connection = websocket.create_connection
    websocket.create_connection = lambda *args, **kwargs: create_connection(
        *args, **{**kwargs, "origin": origin}
    )

client = socketio.Client(reconnection=False)
done = threading.Event()
ticks, frames = [], []


@client.on("frame")
def on_frame(payload):
    ticks.append(payload["tick"])
    frames.append(payload["frame"])
    if len(ticks) >= wanted:
        done.set()


try:
    client.connect(
        url,
        auth={"name": "Python"},
        transports=["websocket"],
        wait_timeout=10,
    )
except Exception as error:  # noqa: BLE001 - any refusal is the answer
    print(json.dumps({"error": str(error)}))
    sys.exit(0)

reply = client.call("join", {"clusterId": cluster_id, "name": "Python"}, timeout=10)
done.wait(timeout=20)
client.disconnect()
print(json.dumps({"joined": reply.get("ok"), "ticks": ticks, "frames": frames[:2]}))
