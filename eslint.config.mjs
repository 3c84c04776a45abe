// `pnpm lint` (with prettier --check): typescript-eslint's recommended rules over every source,
// test, bench and script file. Syntax-level rules only, no type-aware ones: those need a
// TypeScript program per package and would double the lint time on two cores; `pnpm typecheck`
// (tsc --strict) already covers what they would add. Rules turned off say why.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/dist/**", "**/.bench/**", "**/.stryker/**", "**/.turbo/**", "**/coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // `_`-prefixed names are deliberately unused (callback positions, destructured rest).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      // Names and references are refused when they hold control characters: matching them is the point.
      "no-control-regex": "off",
    },
  },
);
