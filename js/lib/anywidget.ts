// The part of anywidget's front-end contract the components use (a model proxy with
// get/set/on/off/send/save_changes; custom messages arrive as "msg:custom" with buffers).

export type Buffers = DataView[] | ArrayBuffer[] | ArrayBufferView[];

export interface WidgetManagerLike {
  get_model(id: string): Promise<ModelLike>;
}

export interface ModelLike {
  get(name: string): any;
  set(name: string, value: unknown): void;
  on(event: string, callback: (...args: any[]) => void): void;
  off(event?: string | null, callback?: ((...args: any[]) => void) | null): void;
  save_changes(): void;
  send(content: unknown, callbacks?: unknown, buffers?: ArrayBuffer[]): void;
  widget_manager?: WidgetManagerLike;
}

export interface RenderProps {
  model: ModelLike;
  el: HTMLElement;
  host?: { getModel?(ref: string): Promise<ModelLike> };
}

/** Resolve a trait holding another widget (ipywidgets' "IPY_MODEL_<id>" reference). */
export async function referencedModel(props: RenderProps, trait: string): Promise<ModelLike> {
  const ref = props.model.get(trait);
  if (ref && typeof ref === "object" && typeof ref.get === "function") return ref as ModelLike;
  if (typeof ref !== "string" || !ref.startsWith("IPY_MODEL_")) {
    throw new Error(`wbnb: trait ${trait} holds no widget reference`);
  }
  // anywidget's host.getModel() takes only its own reference form and rejects ipywidgets'
  // "IPY_MODEL_" prefix on purpose; such references resolve through the widget manager.
  const manager = props.model.widget_manager;
  if (manager) return manager.get_model(ref.slice("IPY_MODEL_".length));
  if (props.host?.getModel) return props.host.getModel(ref);
  throw new Error("wbnb: this notebook front end gives widgets no widget manager");
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
