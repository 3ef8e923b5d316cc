const BASE_URL = process.env.BASE_URL ?? "http://localhost:3000";
const headers = { Authorization: `Bearer ${process.env.API_KEY}`, "Content-Type": "application/json" };

const { data: workspace } = await (await fetch(`${BASE_URL}/v1/workspace`, { headers })).json();
console.log("workspace:", workspace.name);

const created = await fetch(`${BASE_URL}/v1/tags`, { method: "POST", headers, body: JSON.stringify({ name: "vip" }) });
const body = await created.json();
// Errors share one envelope: { error: { type, code, message } }.
console.log(created.ok ? `created: ${body.data.id}` : `already there: ${body.error.code}`);

// Every page: follow next_cursor until has_more is false.
let cursor = null;
do {
  const query = new URLSearchParams({ limit: "50", ...(cursor && { cursor }) });
  const page = await (await fetch(`${BASE_URL}/v1/tags?${query}`, { headers })).json();
  for (const tag of page.data) console.log("tag:", tag.name);
  cursor = page.has_more ? page.next_cursor : null;
} while (cursor);
