import os

import requests

BASE_URL = os.environ.get("BASE_URL", "http://localhost:3000")
session = requests.Session()
session.headers["Authorization"] = f"Bearer {os.environ['API_KEY']}"

workspace = session.get(f"{BASE_URL}/v1/workspace").json()["data"]
print("workspace:", workspace["name"])

created = session.post(
    f"{BASE_URL}/v1/subscribers",
    json={"email": "grace@example.com", "first_name": "Grace", "tags": ["newsletter"]},
)
if created.status_code == 409:  # the envelope: {"error": {"type", "code", "message"}}
    print("already there:", created.json()["error"]["code"])
else:
    created.raise_for_status()
    print("created:", created.json()["data"]["id"])

# Every page: follow next_cursor until has_more is false.
params = {"limit": 50}
while True:
    page = session.get(f"{BASE_URL}/v1/subscribers", params=params).json()
    for subscriber in page["data"]:
        print("subscriber:", subscriber["email"], subscriber["tags"])
    if not page["has_more"]:
        break
    params["cursor"] = page["next_cursor"]
