/**
 * The address of a sweep queue (`--queue redis://[user:password@]host[:port][/db]`), checked without
 * loading the queue client, so a bad address is a usage error before anything connects.
 */
import { CorridorError } from "../domain/errors.js";

/** The URL with any password replaced, for messages and logs. */
export function redactQueueUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(not a URL)";
  }
}

export function parseQueueUrl(flag = "--queue"): (v: string) => string {
  return (v) => {
    const bad = (why: string) =>
      new CorridorError("CORRIDOR_USAGE_INVALID", `${flag}: ${why}; expected redis://host:port (or rediss:// for TLS, optionally /<db>), such as redis://127.0.0.1:6379`, { flag });
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      throw bad(`${JSON.stringify(v.slice(0, 80))} is not a URL`);
    }
    if (u.protocol !== "redis:" && u.protocol !== "rediss:") throw bad(`${u.protocol.replace(/:$/, "")} is not a Redis scheme`);
    if (!u.hostname) throw bad("the address names no host");
    if (!/^(\/\d{0,2})?$/.test(u.pathname) || (u.pathname.length > 1 && Number(u.pathname.slice(1)) > 15)) throw bad(`the path ${JSON.stringify(u.pathname)} is not a database number 0-15`);
    if (u.search || u.hash) throw bad("the address takes no query or fragment");
    return v;
  };
}
