// Stands in, inside the bundled commands, for zod's index of locales: it re-exports every
// language's messages (~400 KB of each bundle, read and compiled at every start), and nothing
// here sets a locale other than the English zod uses by default. `z.locales.en` stays.
export { default as en } from "zod/v4/locales/en.js";
