// The one base error (issue 13): a prefixed code, the cause kept, the subclass's name, and a
// check that recognises any package's errors by their code.
import { describe, expect, it } from "vitest";
import { isRegguardError, RegguardError } from "../src/index.js";

class ExampleError extends RegguardError<"OCI_EXAMPLE"> {
  constructor(message: string, cause?: unknown) {
    super("OCI_EXAMPLE", message, { cause });
  }
}

describe("RegguardError", () => {
  it("carries its code, its message, its cause and the subclass's name", () => {
    const cause = new Error("socket hang up");
    const e = new ExampleError("registry unreachable", cause);
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({ code: "OCI_EXAMPLE", message: "registry unreachable", name: "ExampleError" });
    expect(e.cause).toBe(cause);
  });

  it("has no cause property when none was given", () => {
    expect("cause" in new ExampleError("x")).toBe(false);
  });

  it("isRegguardError: an Error whose code has a known prefix, from any copy of this module", () => {
    expect(isRegguardError(new ExampleError("x"))).toBe(true);
    expect(isRegguardError(Object.assign(new Error("x"), { code: "FORGEJO_NOT_FOUND" }))).toBe(true);
    expect(isRegguardError(Object.assign(new Error("x"), { code: "NOT_FOUND" }))).toBe(false);
    expect(isRegguardError(Object.assign(new Error("x"), { code: "ENOENT" }))).toBe(false);
    expect(isRegguardError({ code: "OCI_NOT_FOUND", message: "not an Error" })).toBe(false);
    expect(isRegguardError(undefined)).toBe(false);
  });
});
