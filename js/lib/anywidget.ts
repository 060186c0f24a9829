// What the components share on top of anywidget's front-end contract (@anywidget/types:
// AnyModel, Host, initialize / render): resolving a trait that holds another widget, and
// binary parts of messages or state as float64 values or as bytes of their own.
import type { AnyModel, Host } from "@anywidget/types";

type Traits = Record<string, any>;

/** Resolve ``ref``, a trait's value holding another widget (ipywidgets' "IPY_MODEL_<id>"
 * reference, or the model itself where the host resolves references), for ``model``'s page. */
export async function referencedModel<T extends Traits>(ref: unknown, model: AnyModel, host?: Host): Promise<AnyModel<T>> {
  if (isModel<T>(ref)) return ref;
  if (typeof ref !== "string" || !ref.startsWith("IPY_MODEL_")) {
    throw new Error("wbnb: the trait holds no widget reference");
  }
  // anywidget's host.getModel() takes only its own reference form and rejects ipywidgets'
  // "IPY_MODEL_" prefix on purpose; such references resolve through the widget manager.
  const manager: AnyModel["widget_manager"] | undefined = model.widget_manager;
  if (manager) return manager.get_model<T>(ref.slice("IPY_MODEL_".length));
  if (host?.getModel) return host.getModel<T>(ref);
  throw new Error("wbnb: this notebook front end gives widgets no widget manager");
}

function isModel<T extends Traits>(ref: unknown): ref is AnyModel<T> {
  return typeof ref === "object" && ref !== null && "get" in ref && typeof ref.get === "function";
}

/** A binary part of a message or of state as float64 values (copied when unaligned). */
export function float64s(part: unknown): Float64Array {
  if (part instanceof Float64Array) return part;
  let buffer: ArrayBufferLike;
  let offset = 0;
  let length: number;
  if (part instanceof ArrayBuffer) {
    buffer = part;
    length = part.byteLength;
  } else if (ArrayBuffer.isView(part)) {
    buffer = part.buffer;
    offset = part.byteOffset;
    length = part.byteLength;
  } else {
    return new Float64Array(0);
  }
  if (offset % 8 !== 0) return new Float64Array(buffer.slice(offset, offset + length));
  return new Float64Array(buffer, offset, Math.floor(length / 8));
}

/** A binary part's bytes, copied into an ArrayBuffer of their own (a Blob takes no view of a
 * SharedArrayBuffer; a part missing from a message is empty). */
export function bytesOf(part: DataView | undefined): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(part?.byteLength ?? 0);
  if (part) out.set(new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
  return out;
}
