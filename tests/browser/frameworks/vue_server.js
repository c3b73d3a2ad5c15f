// The Vue page's server render (Node.js): the settings as JSON on standard input, the HTML on standard output.
import { readFileSync } from "node:fs";
import { createSSRApp } from "vue";
import { renderToString } from "vue/server-renderer";
import { postApp } from "./vue_post.js";

const test = JSON.parse(readFileSync(0, "utf8"));
renderToString(postApp(createSSRApp, test, test.inline).app).then((html) => process.stdout.write(html));
