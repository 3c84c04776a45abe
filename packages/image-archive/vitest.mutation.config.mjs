// The tests a mutant of src/archive-read.ts may be killed by: the reader's own, on tars written
// entry by entry. (breakglass's verify and restore tests read it through dist/, which a mutant in
// src/ never reaches.)
import { mutationConfig } from "../../vitest.base.mjs";

export default mutationConfig(["src/**/*.test.ts"]);
