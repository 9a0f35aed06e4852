/** Contract reads over a ChainReader, with reverts decoded into the corridor's custom errors. */
import { decodeFunctionResult, encodeFunctionData, type Abi, type Hex } from "viem";
import { CorridorError } from "../domain/errors.js";
import { revertError } from "../contracts/gateway.js";
import { SdkErrorCode } from "./errors.js";
import type { CallResult, ChainReader } from "./signer.js";

/** A revert as a CorridorError: the decoded custom error if there is data, else CORRIDOR_SDK_CALL_REVERTED. */
export function revertToError(result: Extract<CallResult, { reverted: true }>, context: Record<string, unknown>): CorridorError {
  if (result.data !== undefined) {
    const e = revertError(result.data, context);
    // Keep the library's error as the cause: it has the node's own message.
    return new CorridorError(e.code, e.message, e.details, result.error);
  }
  const what = typeof context.step === "string" ? context.step : "call";
  return new CorridorError(SdkErrorCode.CallReverted, `${what} reverted without revert data`, context, result.error);
}

/** Calls a view and decodes its result; a revert throws the decoded error. */
export async function readContract<T>(reader: ChainReader, to: Hex, abi: Abi, functionName: string, args: readonly unknown[] = []): Promise<T> {
  const data = encodeFunctionData({ abi, functionName, args } as never);
  const r = await reader.call({ to, data });
  if (r.reverted) throw revertToError(r, { step: functionName, to });
  if (r.data === "0x") {
    // No code at `to` (or a non-contract): viem would throw an opaque "returned no data" error.
    throw new CorridorError(SdkErrorCode.CallReverted, `${functionName} on ${to} returned no data: is it a contract on this chain?`, { step: functionName, to });
  }
  return decodeFunctionResult({ abi, functionName, data: r.data } as never) as T;
}
