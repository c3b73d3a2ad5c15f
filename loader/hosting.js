// What a widget host must send, as console advice naming the docs page
// that fixes it (docs/operators/hosting.md).

const DOCS = "See docs/operators/hosting.md in Verdict's repository.";

const ADVICE = {
  cors: "Send `Access-Control-Allow-Origin: *` for every file of dist/ (they are public and fetched without credentials).",
  type: "Send JavaScript files as text/javascript, .json as application/json and .wasm as application/wasm.",
  encoding: "Serve the precompressed .br/.gz twins with `Content-Encoding: br` or `gzip` (nginx brotli_static/gzip_static, Caddy `file_server precompressed`).",
};

export function hostingAdvice(problem) {
  return `${ADVICE[problem]} ${DOCS}`;
}
