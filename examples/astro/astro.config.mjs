// A minimal Astro site with a Verdict card on a post (src/pages/posts/card.astro), written by the
// Verdict component (src/components/Verdict.astro) at build time from the bundle's inline kit.
import { defineConfig } from "astro/config";

export default defineConfig({ build: { format: "file" } });
