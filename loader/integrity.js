// Files from the widget host, checked against the hashes the build fixed
// (Subresource Integrity, sha384): a file that does not match is refused, and
// the console names it. Used by the first script and by the loader proper.

import { hostingAdvice } from "./hosting.js";

// fetch(url) checked against `integrity`; rejects with an Error whose
// message names the file and what went wrong (said once on the console).
export async function fetchChecked(url, integrity) {
  try {
    const response = await fetch(url, { integrity, credentials: "omit" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response;
  } catch (error) {
    const why = await diagnose(url, error);
    console.error(`Verdict: ${why}`);
    throw new Error(why, { cause: error });
  }
}

// Why fetching `url` failed, in our own words: altered file, missing CORS
// header, or the network.
export async function diagnose(url, error) {
  return (await explain(url, error)).text;
}

// The same, with the problem's kind: "http", "cors", "network", "type" or "integrity".
export async function explain(url, error) {
  if (/^HTTP /.test(error.message)) return { problem: "http", text: `${url} could not be fetched (${error.message}).` };
  let response;
  try {
    response = await fetch(url, { credentials: "omit", cache: "force-cache" });
  } catch {
    try {
      await fetch(url, { mode: "no-cors", credentials: "omit" });
      return {
        problem: "cors",
        text: `${url} was refused by the browser: the widget host sends no Access-Control-Allow-Origin header. ${hostingAdvice("cors")}`,
      };
    } catch {
      return {
        problem: "network",
        text: `${url} could not be fetched: the network, the widget host or this page's ` +
          "Content-Security-Policy (see any message about it) stopped it.",
      };
    }
  }
  // Refused for its status (a module preload says no more than "refused"): name it, not its bytes.
  if (!response.ok) return { problem: "http", text: `${url} could not be fetched (HTTP ${response.status}).` };
  const wrongType = typeProblem(url, response);
  if (wrongType) return { problem: "type", text: wrongType };
  return {
    problem: "integrity",
    text: `${url} does not match the integrity hash fixed at build time: the widget host serves a different ` +
      `or altered file, so it was refused. Redeploy the whole dist/ folder of one build.`,
  };
}

// Only the types a browser enforces: module scripts and WebAssembly's streaming compile. (JSON is read by
// fetch() whatever its label; check-host still advises application/json.)
const JS = [/^(text|application)\/javascript\b/, "text/javascript"];
const TYPES = { js: JS, mjs: JS, wasm: [/^application\/wasm\b/, "application/wasm"] };

// The console's words when `response` (of `url`) has a content type the browser will not use, else null.
export function typeProblem(url, response) {
  const extension = new URL(url).pathname.split(".").pop();
  const type = response.headers.get("content-type") || "";
  if (!TYPES[extension] || TYPES[extension][0].test(type)) return null;
  return `${url} is sent as ${type || "no Content-Type"}, not ${TYPES[extension][1]}. ${hostingAdvice("type")}`;
}
