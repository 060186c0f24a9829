// A stand-in for VS Code's notebook webview, for tests/e2e/test_vscode.py: the widget
// manager VS Code's Jupyter extension renders widgets with (@vscode/jupyter-ipywidgets8,
// its shipped bundle), on requirejs, over a kernel connection; third-party widget code
// is loaded the way VS Code loads it for a local kernel: the kernel environment's
// nbextension (anywidget's index.js), registered with requirejs by the script loader.
// What VS Code adds around it (the webview, the extension host relaying the kernel's
// messages) is not here; the page talks to the kernel over the Jupyter server's websocket.
import { KernelManager, ServerConnection } from "@jupyterlab/services";

const WIDGET = "application/vnd.jupyter.widget-view+json";

window.wbnbHost = {
  errors: [],
  log: [],
  /** Load VS Code's widget manager and start a kernel; `nbextensions` is where the kernel
   * environment's share/jupyter/nbextensions is served. */
  async start(baseUrl, token, managerUrl, nbextensions) {
    const { activate } = await import(managerUrl);
    activate();
    window.vscIPyWidgets8.load();
    const serverSettings = ServerConnection.makeSettings({
      baseUrl,
      wsUrl: baseUrl.replace(/^http/, "ws"),
      token,
      appendToken: true,
    });
    this.kernel = await new KernelManager({ serverSettings }).startNew({ name: "python3" });
    const registered = new Set();
    const scriptLoader = {
      widgetsRegisteredInRequireJs: registered,
      async loadWidgetScript(moduleName) {
        window.requirejs.config({ paths: { [moduleName]: `${nbextensions}/${moduleName}/index` } });
        registered.add(moduleName);
      },
      successHandler() {},
      errorHandler: (className, moduleName, version, error) =>
        this.errors.push(`cannot load ${moduleName}@${version} ${className}: ${error}`),
    };
    // An update may come after its cell is done (a run's finish() redraws from its thread).
    this.kernel.iopubMessage.connect((_, msg) => {
      const output = msg.header.msg_type === "update_display_data" && this.displays.get(msg.content.transient.display_id);
      if (output) this.render(output, msg.content.data);
    });
    this.manager = new window.vscIPyWidgets.WidgetManager(this.kernel, document.body, scriptLoader, (m) => this.log.push(m), undefined);
  },
  /** Run `code` in the kernel as a cell and lay its outputs out as VS Code's webview does
   * (src/vs/workbench/contrib/notebook/browser/view/renderers/webviewPreloads.ts: a cell's
   * `div.cell_container` holds one `div.output_container` per output, in output order, each
   * holding the `div.output` a renderer draws in). Each output is drawn in the first mime
   * type that renders, in VS Code's order (widget view, then text/html before image/svg+xml,
   * from extensions/ipynb and vscode-jupyter's output translation; the kinds these tests show):
   * a widget view as vscode-jupyter's widget renderer mounts it
   * (src/webviews/webview-side/ipywidgets/kernel/index.ts), falling back to the next type when
   * the view cannot render (a model the kernel has not); HTML as the built-in renderer does
   * (extensions/notebook-renderers: a div, innerHTML); anything else as its text/plain.
   * An update_display_data redraws the output holding its display id, in place. Resolves
   * with the cell's text (streams and errors, shown last) once the cell is done. */
  async run(code) {
    const cell = document.createElement("div");
    cell.className = "cell_container";
    document.body.append(cell);
    const text = [];
    const shown = [];
    const future = this.kernel.requestExecute({ code });
    future.onIOPub = (msg) => {
      const type = msg.header.msg_type;
      if (type === "stream") text.push(msg.content.text);
      else if (type === "error") text.push(`${msg.content.ename}: ${msg.content.evalue}`);
      else if (type === "display_data" || type === "execute_result") {
        const container = document.createElement("div");
        container.className = "output_container";
        const output = document.createElement("div");
        output.className = "output";
        container.append(output);
        cell.append(container);
        const id = msg.content.transient?.display_id;
        if (id) this.displays.set(id, output);
        shown.push(this.render(output, msg.content.data));
      }
    };
    await future.done;
    await Promise.all(shown);
    const pre = document.createElement("pre");
    pre.textContent = text.join("");
    cell.append(pre);
    return text.join("");
  },
  displays: new Map(),
  /** Draw one output's bundle in its `div.output` (see `run`). */
  async render(output, data) {
    output.replaceChildren();
    if (data[WIDGET]) {
      const ele = document.createElement("div");
      ele.className = "cell-output-ipywidget-background";
      output.className += " cell-output-ipywidget-background";
      output.append(ele);
      try {
        const model = await this.manager.get_model(data[WIDGET].model_id);
        const view = await this.manager.create_view(model, { el: ele });
        await this.manager.display_view(data[WIDGET], view, { node: ele });
        return;
      } catch (err) {
        this.errors.push(`cannot render ${data[WIDGET].model_id}: ${err}`);
        output.replaceChildren();
      }
    }
    const html = document.createElement("div");
    if (data["text/html"] !== undefined) html.innerHTML = data["text/html"];
    else html.textContent = data["text/plain"] ?? "";
    output.append(html);
  },
};
