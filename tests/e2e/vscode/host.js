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
    this.manager = new window.vscIPyWidgets.WidgetManager(this.kernel, document.body, scriptLoader, (m) => this.log.push(m), undefined);
  },
  /** Run `code` in the kernel as a cell; its outputs go in a new `.cell-output`: text as
   * text, widgets rendered as VS Code's renderer does (model, view, display). Resolves
   * with the cell's text output once the cell is done. */
  async run(code) {
    const out = document.createElement("div");
    out.className = "cell-output";
    document.body.append(out);
    const text = [];
    const shown = [];
    const future = this.kernel.requestExecute({ code });
    future.onIOPub = (msg) => {
      const type = msg.header.msg_type;
      if (type === "stream") text.push(msg.content.text);
      else if (type === "error") text.push(`${msg.content.ename}: ${msg.content.evalue}`);
      else if ((type === "display_data" || type === "execute_result") && msg.content.data[WIDGET]) {
        const data = msg.content.data[WIDGET];
        const el = document.createElement("div");
        el.className = "widget-output";
        out.append(el);
        shown.push(
          (async () => {
            const model = await this.manager.get_model(data.model_id);
            const view = await this.manager.create_view(model, { el });
            await this.manager.display_view(data, view, { node: el });
          })().catch((err) => this.errors.push(`cannot render ${data.model_id}: ${err}`)),
        );
      }
    };
    await future.done;
    await Promise.all(shown);
    const pre = document.createElement("pre");
    pre.textContent = text.join("");
    out.append(pre);
    return text.join("");
  },
};
