// The guard every generated contract.ts makes of its messages (isToPage, isFromPage):
// a payload from the other half is one of the union's messages when its `type` tag is.

/** A guard narrowing an incoming payload to the messages `T` (tagged by `type`) when its
 * tag is one of `types`. */
export function tagGuard<T extends { type: string }>(types: readonly T["type"][]): (msg: unknown) => msg is T {
  return (msg: unknown): msg is T =>
    typeof msg === "object" && msg !== null && "type" in msg && types.some((tag) => tag === msg.type);
}
