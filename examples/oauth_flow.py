import os

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

# From the resource, find its authorization server (RFC 9728), then that server's endpoints (RFC 8414).
BASE_URL = os.environ.get("BASE_URL", "http://localhost:3000")
resource = requests.get(f"{BASE_URL}/.well-known/oauth-protected-resource/v1").json()
issuer = resource["authorization_servers"][0]
server = requests.get(f"{issuer}/.well-known/oauth-authorization-server").json()

client = OAuth2Session(
    os.environ["CLIENT_ID"],
    os.environ["CLIENT_SECRET"],
    scope="subscribers:read tags:read offline_access",
    redirect_uri=os.environ["REDIRECT_URI"],
    code_challenge_method="S256",
)
code_verifier = generate_token(48)
url, state = client.create_authorization_url(server["authorization_endpoint"], code_verifier=code_verifier)
print(url, flush=True)

# The person signs in, picks a workspace and allows access; the browser comes back to the redirect URI.
callback_url = input().strip()
token = client.fetch_token(
    server["token_endpoint"], authorization_response=callback_url, state=state, code_verifier=code_verifier
)
print("scopes:", token["scope"])

workspace = client.get(f"{resource['resource']}/workspace").json()["data"]
print("workspace:", workspace["name"])
