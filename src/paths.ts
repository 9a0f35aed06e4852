import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The package root (the folder holding package.json), wherever the command is run from. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** A path inside the package. */
export function packagePath(...parts: string[]): string {
  return resolve(PACKAGE_ROOT, ...parts);
}
