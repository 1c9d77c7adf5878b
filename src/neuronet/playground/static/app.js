// The neuronet playground's page: one session per page kind on the server, its state streamed
// here over a WebSocket and drawn on canvases. No build step, no library: plain DOM.
//
//   Session   creates a server session, opens its stream, sends parameters and actions
//   *Page     one per tab: binds the controls, draws every state frame the session sends
"use strict";

// ---- talking to the server --------------------------------------------------------------

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : {"Content-Type": "application/json"},
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const value = await response.json().catch(() => ({error: `${response.status} from ${path}`}));
  if (!response.ok) throw new Error(value.error || `${response.status} from ${path}`);
  return value;
}

const message = {
  element: null,
  timer: null,
  show(text) {
    this.element = this.element || document.getElementById("message");
    this.element.textContent = text;
    this.element.hidden = false;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.element.hidden = true; }, 10000);
  },
};

// A server session of one kind: create(), then configure()/act(); every frame of its event
// stream goes to onState. A session the server freed (idle) is made again with the same
// configuration the next time the page uses it.
class Session {
  constructor(kind, onState) {
    this.kind = kind;
    this.version = -1;
    // answers to requests and frames of the stream can arrive out of order: draw only news
    this.onState = (state) => {
      if (state.version < this.version) return;
      this.version = state.version;
      this.config = state.config;
      onState(state);
    };
    this.id = null;
    this.config = {};
    this.socket = null;
  }

  async create(config) {
    const state = await api("POST", "/api/sessions", {kind: this.kind, config});
    this.id = state.id;
    this.version = -1;
    this.open();
    this.onState(state);
    return state;
  }

  // the session's WebSocket: {event, data} messages; reopened if it drops while the session
  // lives, given up when the server says the session was freed
  open() {
    const id = this.id;
    const socket = new WebSocket(`ws://${location.host}/api/sessions/${id}/stream`);
    socket.addEventListener("message", (event) => {
      const {event: name, data} = JSON.parse(event.data);
      if (name === "state") this.onState(data);
      else if (name === "failure") message.show(data.error);
      else if (name === "closed" && this.id === id) this.id = null;
    });
    socket.addEventListener("close", () => {
      if (this.id === id && this.socket === socket) {
        setTimeout(() => this.id === id && this.open(), 1000);
      }
    });
    this.socket = socket;
  }

  async call(verb, body) {
    try {
      if (this.id === null) await this.create(this.config);
      const state = await api("POST", `/api/sessions/${this.id}/${verb}`, body);
      this.onState(state);
      return state;
    } catch (error) {
      message.show(error.message);
      // a refused change changed nothing: put the controls back to what the server has
      if (this.id !== null) api("GET", `/api/sessions/${this.id}`).then(this.onState, () => {});
      return null;
    }
  }

  configure(changes) { return this.call("config", changes); }

  act(name, args = {}) { return this.call("action", {name, args}); }

  close() {
    if (this.id === null) return;
    const id = this.id;
    this.id = null;
    if (this.socket) this.socket.close();
    fetch(`/api/sessions/${id}`, {method: "DELETE", keepalive: true}).catch(() => {});
  }
}

// ---- drawing helpers ---------------------------------------------------------------------

const $ = (id) => document.getElementById(id);
const ORANGE = [245, 147, 34];
const WHITE = [232, 234, 235];
const BLUE = [8, 119, 189];

// v in [-1, 1] -> [r, g, b]: orange for -1 (class 0), white for 0, blue for +1 (class 1)
function colour(v) {
  const [from, t] = v < 0 ? [ORANGE, -v] : [BLUE, v];
  return WHITE.map((w, i) => Math.round(w + (from[i] - w) * t));
}

const css = (rgb) => `rgb(${rgb.join(",")})`;

// base64 of uint8 codes round((v + 1) * 127.5) (planar.encode_map) -> a size x size canvas
function mapCanvas(encoded, size, canvas = document.createElement("canvas")) {
  const codes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
  canvas.width = canvas.height = size;
  const context = canvas.getContext("2d");
  const image = context.createImageData(size, size);
  codes.forEach((code, i) => {
    image.data.set([...colour(code / 127.5 - 1), 255], 4 * i);
  });
  context.putImageData(image, 0, 0);
  return canvas;
}

// maps plane coordinates [-extent, extent]^2 onto a canvas (y upwards)
function planeScale(canvas, extent) {
  return {
    x: (x) => (x + extent) / (2 * extent) * canvas.width,
    y: (y) => (extent - y) / (2 * extent) * canvas.height,
  };
}

function drawPoints(context, scale, points, labels, stroke, radius = 3) {
  context.lineWidth = 1;
  context.strokeStyle = stroke;
  points.forEach(([x, y], i) => {
    context.beginPath();
    context.arc(scale.x(x), scale.y(y), radius, 0, 2 * Math.PI);
    context.fillStyle = css(labels[i] ? BLUE : ORANGE);
    context.fill();
    context.stroke();
  });
}

// lines of [x, y] points on a canvas: series = [{points, colour}], y from 0 (or min) to max
function drawCurves(canvas, series, {fromZero = true} = {}) {
  const context = canvas.getContext("2d");
  context.clearRect(0, 0, canvas.width, canvas.height);
  const all = series.flatMap((s) => s.points).filter(([, y]) => y !== null && isFinite(y));
  if (all.length < 2) return;
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => y);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [fromZero ? Math.min(0, ...ys) : Math.min(...ys), Math.max(...ys)];
  if (y1 === y0) y1 = y0 + 1;
  const px = (x) => 4 + (x - x0) / (x1 - x0 || 1) * (canvas.width - 8);
  const py = (y) => canvas.height - 4 - (y - y0) / (y1 - y0) * (canvas.height - 8);
  for (const {points, colour: stroke} of series) {
    context.beginPath();
    context.strokeStyle = stroke;
    context.lineWidth = 1.5;
    points.filter(([, y]) => y !== null).forEach(([x, y], i) => {
      if (i === 0) context.moveTo(px(x), py(y)); else context.lineTo(px(x), py(y));
    });
    context.stroke();
  }
}

const fmt = (v, digits = 3) => (v === null || v === undefined ? "-" : Number(v).toFixed(digits));

// fill a <select> with options and send `key` to the session when it changes
function bindSelect(session, id, key, options, label = String) {
  const select = $(id);
  for (const option of options) select.add(new Option(label(option), String(option)));
  select.addEventListener("change", () => {
    const value = options.find((o) => String(o) === select.value);
    session.configure({[key]: value === undefined ? Number(select.value) : value});
  });
  return select;
}

function showValue(select, value) {
  if (document.activeElement === select) return;
  const text = String(value);
  if (![...select.options].some((o) => o.value === text)) select.add(new Option(text, text));
  select.value = text;
}

// a range input with an <output id="ID-value"> beside it
function bindRange(session, id, key) {
  const range = $(id);
  range.addEventListener("input", () => { $(`${id}-value`).textContent = range.value; });
  range.addEventListener("change", () => session.configure({[key]: Number(range.value)}));
  return range;
}

function showRange(range, value) {
  if (document.activeElement === range) return;
  range.value = value;
  $(`${range.id}-value`).textContent = value;
}

function bindPlay(session, id) {
  const button = $(id);
  button.addEventListener("click", () => session.act(button.dataset.playing === "true" ? "pause"
    : "play"));
  return button;
}

function showPlaying(button, playing, playText = "play") {
  button.dataset.playing = String(playing);
  button.textContent = playing ? "pause" : playText;
  button.classList.toggle("playing", playing);
}

// ---- the network page --------------------------------------------------------------------

const FEATURES = ["x1", "x2", "x1^2", "x2^2", "x1x2", "sin(x1)", "sin(x2)"];
const DATASETS = ["circle", "xor", "gauss", "spiral", "moons"];
const MAX_WIDTH = 8;
const MAX_LAYERS = 6;
const CELL = 44; // a neuron's heat map in the graph, in pixels
const ROW = 56;
const COLUMN = 110;
const LEFT = 70; // room for the feature names left of the first column

class NetworkPage {
  constructor() {
    this.session = new Session("network", (state) => this.draw(state));
    this.state = null;
    this.data = null;
    const s = this.session;
    bindSelect(s, "network-learning_rate", "learning_rate",
      [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10]);
    bindSelect(s, "network-activation", "activation", ["tanh", "relu", "sigmoid", "linear"]);
    bindSelect(s, "network-regularization", "regularization", ["none", "l1", "l2"],
      (o) => ({none: "none", l1: "L1", l2: "L2"})[o]);
    bindSelect(s, "network-reg_rate", "reg_rate", [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1]);
    bindSelect(s, "network-optimizer", "optimizer", ["sgd", "momentum", "adam", "rmsprop"],
      (o) => ({sgd: "SGD", momentum: "Momentum", adam: "Adam", rmsprop: "RMSprop"})[o]);
    bindSelect(s, "network-init", "init", ["xavier", "he", "normal"],
      (o) => ({xavier: "Xavier", he: "He", normal: "normal(0, 0.5)"})[o]);
    bindSelect(s, "network-dropout", "dropout", [0, 0.1, 0.2, 0.3, 0.5]);
    this.ranges = ["train_ratio", "noise", "batch_size"].map(
      (key) => [key, bindRange(s, `network-${key}`, key)]);
    this.play = bindPlay(s, "network-play");
    $("network-step").addEventListener("click", () => s.act("step", {steps: 1}));
    $("network-reset").addEventListener("click", () => s.act("reset"));
    $("network-regenerate").addEventListener("click", () => s.act("regenerate"));
    $("network-batchnorm").addEventListener("change",
      (event) => s.configure({batchnorm: event.target.checked}));
    for (const id of ["network-show-gradients", "network-show-test"]) {
      $(id).addEventListener("change", () => this.state && this.draw(this.state));
    }
    $("network-add-layer").addEventListener("click", () => this.setHidden((h) =>
      (h.length < MAX_LAYERS ? [...h, 2] : h)));
    $("network-remove-layer").addEventListener("click",
      () => this.setHidden((h) => h.slice(0, -1)));
    const datasets = $("network-datasets");
    for (const name of DATASETS) {
      const button = document.createElement("button");
      button.id = `network-dataset-${name}`;
      button.textContent = name;
      button.addEventListener("click", () => s.configure({dataset: name}));
      datasets.append(button);
    }
  }

  start() { return this.session.create({}); }

  setHidden(change) {
    this.session.configure({hidden: change([...this.state.config.hidden])});
  }

  toggleFeature(name) {
    const active = this.state.config.features;
    const features = active.includes(name) ? active.filter((f) => f !== name) : [...active, name];
    if (features.length === 0) {
      message.show("the network needs at least one input feature");
      return;
    }
    this.session.configure({features});
  }

  draw(state) {
    this.state = state;
    if (state.data) this.data = state.data;
    const c = state.config;
    for (const key of ["learning_rate", "activation", "regularization", "reg_rate", "optimizer",
      "init", "dropout"]) showValue($(`network-${key}`), c[key]);
    for (const [key, range] of this.ranges) showRange(range, c[key]);
    $("network-batchnorm").checked = c.batchnorm;
    for (const name of DATASETS) {
      $(`network-dataset-${name}`).classList.toggle("active", c.dataset === name);
    }
    showPlaying(this.play, state.playing);
    $("network-step-count").textContent = state.step;
    $("network-epoch").textContent = fmt(state.epoch, 1);
    $("network-train-loss").textContent = fmt(state.loss.train);
    $("network-test-loss").textContent = fmt(state.loss.test);
    $("network-layer-count").textContent = `${c.hidden.length} hidden layer` +
      (c.hidden.length === 1 ? "" : "s");
    drawCurves($("network-curve"), [
      {points: state.history.map(([step, train]) => [step, train]), colour: "#333"},
      {points: state.history.map(([step, , test]) => [step, test]), colour: "#999"},
    ]);
    this.drawBoundary(state);
    this.drawGraph(state);
  }

  drawBoundary(state) {
    const canvas = $("network-boundary");
    const context = canvas.getContext("2d");
    context.imageSmoothingEnabled = true;
    context.drawImage(mapCanvas(state.boundary.values, state.boundary.size), 0, 0,
      canvas.width, canvas.height);
    if (!this.data) return;
    const scale = planeScale(canvas, state.extent);
    drawPoints(context, scale, this.data.train.x, this.data.train.y, "white");
    if ($("network-show-test").checked) {
      drawPoints(context, scale, this.data.test.x, this.data.test.y, "black");
    }
  }

  // columns of neurons (features, hidden layers, output) with SVG links between them
  drawGraph(state) {
    const c = state.config;
    const graph = $("network-graph");
    graph.replaceChildren();
    const widths = [FEATURES.length, ...c.hidden, 1];
    const height = Math.max(...widths) * ROW + 30;
    graph.style.height = `${height}px`;
    graph.style.width = `${LEFT + (widths.length - 1) * COLUMN + CELL + 20}px`;
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("width", graph.style.width);
    svg.setAttribute("height", height);
    graph.append(svg);
    // where each network unit sits: column 0 lists every feature, active ones are inputs
    const positions = [c.features.map((f) => [0, FEATURES.indexOf(f)])];
    c.hidden.forEach((width, layer) => {
      positions.push([...Array(width).keys()].map((j) => [layer + 1, j]));
    });
    positions.push([[widths.length - 1, 0]]);
    const at = ([column, row]) => [LEFT + column * COLUMN + CELL / 2, 30 + row * ROW + CELL / 2];
    this.drawLinks(svg, state, positions, at);
    FEATURES.forEach((name, row) => {
      const unit = c.features.indexOf(name);
      const box = this.neuron(graph, at([0, row]),
        unit >= 0 ? state.neurons.maps[0][unit] : null, state.neurons.size);
      box.classList.add("feature");
      box.classList.toggle("inactive", unit < 0);
      box.title = `${name}: click to ${unit < 0 ? "use" : "drop"} it`;
      box.addEventListener("click", () => this.toggleFeature(name));
      const label = document.createElement("span");
      label.className = "feature-label";
      label.textContent = name;
      box.append(label);
    });
    c.hidden.forEach((width, layer) => {
      positions[layer + 1].forEach((position, j) => {
        const box = this.neuron(graph, at(position), state.neurons.maps[layer + 1][j],
          state.neurons.size);
        box.title = `layer ${layer + 1}, neuron ${j + 1}`;
      });
      const [x] = at([layer + 1, 0]);
      for (const [sign, text, change] of [[-1, "\u2212", -1], [1, "+", 1]]) {
        const button = document.createElement("button");
        button.className = "small neuron-button";
        button.id = `network-layer-${layer + 1}-${change > 0 ? "add" : "remove"}`;
        button.textContent = text;
        button.style.left = `${x + sign * 12 - 9}px`;
        button.style.top = "2px";
        button.addEventListener("click", () => this.setHidden((h) => {
          h[layer] = Math.min(MAX_WIDTH, Math.max(1, h[layer] + change));
          return h;
        }));
        graph.append(button);
      }
    });
    const output = this.neuron(graph, at(positions.at(-1)[0]), state.neurons.maps.at(-1)[0],
      state.neurons.size);
    output.title = "output: the decision boundary";
  }

  neuron(graph, [x, y], map, size) {
    const box = document.createElement("div");
    box.className = "neuron";
    box.style.left = `${x - CELL / 2}px`;
    box.style.top = `${y - CELL / 2}px`;
    if (map) box.append(mapCanvas(map, size));
    graph.append(box);
    return box;
  }

  drawLinks(svg, state, positions, at) {
    const gradients = $("network-show-gradients").checked;
    state.weights.forEach((weight, layer) => {
      const values = gradients ? state.gradients[layer] : weight;
      if (!values) return;
      const largest = Math.max(1e-12, ...values.flat().map(Math.abs));
      values.forEach((row, j) => row.forEach((v, i) => {
        const [x1, y1] = at(positions[layer][i]);
        const [x2, y2] = at(positions[layer + 1][j]);
        const line = document.createElementNS("http://www.w3.org/2000/svg", "line");
        const size = gradients ? 5 * Math.abs(v) / largest : Math.min(6, 3 * Math.abs(v));
        Object.entries({x1: x1 + CELL / 2, y1, x2: x2 - CELL / 2, y2,
          stroke: css(v < 0 ? ORANGE : BLUE), "stroke-width": 0.4 + size,
          "stroke-opacity": 0.8}).forEach(([k, value]) => line.setAttribute(k, value));
        const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
        title.textContent = `${gradients ? "gradient" : "weight"} ${v}`;
        line.append(title);
        svg.append(line);
      }));
    });
  }
}

// ---- the perceptron page -----------------------------------------------------------------

class PerceptronPage {
  constructor() {
    this.session = new Session("perceptron", (state) => this.draw(state));
    this.data = null;
    bindSelect(this.session, "perceptron-dataset", "dataset", DATASETS);
    bindSelect(this.session, "perceptron-eta", "eta", [0.01, 0.1, 0.5, 1]);
    this.play = bindPlay(this.session, "perceptron-play");
    $("perceptron-step").addEventListener("click", () => this.session.act("step", {steps: 1}));
    $("perceptron-reset").addEventListener("click", () => this.session.act("reset"));
  }

  start() { return this.session.create({}); }

  draw(state) {
    if (state.data) this.data = state.data;
    showValue($("perceptron-dataset"), state.config.dataset);
    showValue($("perceptron-eta"), state.config.eta);
    showPlaying(this.play, state.playing);
    $("perceptron-epoch").textContent = state.epoch;
    $("perceptron-wrong").textContent = state.wrong_now;
    $("perceptron-finished").textContent = {
      converged: `Converged: epoch ${state.epoch} made no mistake, the line separates the classes.`,
      max_epochs: `Stopped after ${state.epoch} epochs: no line separates these classes.`,
    }[state.finished] || "";
    $("perceptron-last").textContent = this.describe(state.last, state.config.eta);
    const errors = state.errors.map((e, i) => [i + 1, e]);
    drawCurves($("perceptron-errors"), [{points: errors, colour: "#c33"}]);
    this.drawPlane(state);
  }

  describe(last, eta) {
    if (!last) return "press step: the next sample goes through the rule";
    const v = (a) => `(${a.map((x) => fmt(x)).join(", ")})`;
    const head = `sample ${last.index}: x = ${v(last.x)}, target t = ${last.target}\n` +
      `w \u00b7 x + b = ${v(last.w_before)} \u00b7 x + ${fmt(last.b_before)} = ` +
      `${fmt(last.score)}  ->  o = ${last.output}\n`;
    if (last.delta === 0) return `${head}o = t: no change`;
    return `${head}mistake: w <- w + ${eta} * (${last.target} - ${last.output}) * x, ` +
      `b <- b + ${eta} * (${last.target} - ${last.output})`;
  }

  drawPlane(state) {
    const canvas = $("perceptron-plane");
    const context = canvas.getContext("2d");
    const scale = planeScale(canvas, state.extent);
    const [w1, w2] = state.w;
    const b = state.b;
    // shade the half-plane the rule calls class 1 (inputs are coordinates / scale)
    const cells = 60;
    const step = 2 * state.extent / cells;
    for (let i = 0; i < cells; i++) {
      for (let j = 0; j < cells; j++) {
        const x = -state.extent + (i + 0.5) * step;
        const y = state.extent - (j + 0.5) * step;
        const one = (w1 * x + w2 * y) / state.scale + b > 0;
        context.fillStyle = css(colour(w1 === 0 && w2 === 0 && b === 0 ? 0 : one ? 0.3 : -0.3));
        context.fillRect(i * canvas.width / cells, j * canvas.height / cells,
          canvas.width / cells + 1, canvas.height / cells + 1);
      }
    }
    if (!this.data) return;
    drawPoints(context, scale, this.data.x, this.data.y, "white", 4);
    if (state.last) {
      const [x, y] = this.data.x[state.last.index];
      context.beginPath();
      context.lineWidth = 2;
      context.strokeStyle = state.last.delta === 0 ? "#333" : "#d00";
      context.arc(scale.x(x), scale.y(y), 8, 0, 2 * Math.PI);
      context.stroke();
    }
  }
}

// ---- the Hopfield page -------------------------------------------------------------------

class HopfieldPage {
  constructor() {
    this.session = new Session("hopfield", (state) => this.draw(state));
    this.state = null;
    this.drawing = null; // the value being painted while the mouse is down
    bindSelect(this.session, "hopfield-rule", "rule", ["hebbian", "storkey"]);
    this.play = bindPlay(this.session, "hopfield-play");
    const s = this.session;
    const fraction = $("hopfield-fraction");
    fraction.addEventListener("input",
      () => { $("hopfield-fraction-value").textContent = fraction.value; });
    $("hopfield-store").addEventListener("click",
      () => s.act("store", {pattern: this.state.state}));
    $("hopfield-random").addEventListener("click", () => s.act("random_patterns", {count: 1}));
    $("hopfield-noise").addEventListener("click",
      () => s.act("noise", {fraction: Number(fraction.value)}));
    $("hopfield-step").addEventListener("click", () => s.act("step", {steps: 1}));
    $("hopfield-clear").addEventListener("click", () => s.act("clear"));
    const canvas = $("hopfield-state");
    canvas.addEventListener("mousedown", (event) => {
      const unit = this.unitAt(event);
      this.drawing = -this.state.state[unit];
      this.paint(unit);
    });
    canvas.addEventListener("mousemove", (event) => {
      if (this.drawing !== null) this.paint(this.unitAt(event));
    });
    window.addEventListener("mouseup", () => {
      if (this.drawing === null) return;
      this.drawing = null;
      s.act("set_state", {pattern: this.state.state});
    });
  }

  start() { return this.session.create({}); }

  unitAt(event) {
    const canvas = $("hopfield-state");
    const box = canvas.getBoundingClientRect();
    const side = this.state.side;
    const column = Math.min(side - 1, Math.floor((event.clientX - box.left) / box.width * side));
    const row = Math.min(side - 1, Math.floor((event.clientY - box.top) / box.height * side));
    return row * side + column;
  }

  paint(unit) {
    this.state.state[unit] = this.drawing;
    this.drawGrid($("hopfield-state"), this.state.state, this.state.side, null);
  }

  draw(state) {
    if (this.drawing !== null) return; // keep the drawing under the mouse
    this.state = state;
    showValue($("hopfield-rule"), state.config.rule);
    showPlaying(this.play, state.playing, "recall");
    this.drawGrid($("hopfield-state"), state.state, state.side, state.last_unit);
    const thumbs = $("hopfield-patterns");
    thumbs.replaceChildren();
    state.patterns.forEach((pattern, k) => {
      const figure = document.createElement("figure");
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = 60;
      this.drawGrid(canvas, pattern, state.side, null);
      canvas.title = "load this pattern as the state";
      canvas.addEventListener("click", () => this.session.act("set_state", {pattern}));
      const caption = document.createElement("figcaption");
      caption.textContent = `overlap ${fmt(state.overlaps[k], 2)}`;
      figure.append(canvas, caption);
      thumbs.append(figure);
    });
    drawCurves($("hopfield-energy"), [{points: state.energies.map((e, i) => [i, e]),
      colour: "#36c"}], {fromZero: false});
    $("hopfield-status").textContent = this.status(state);
  }

  status(state) {
    if (state.patterns.length === 0) return "Draw a pattern and store it (or add random ones).";
    const best = state.overlaps.indexOf(Math.max(...state.overlaps));
    const where = state.settled ? "settled: a fixed point" :
      `sweep ${state.sweeps + 1}, unit ${state.sweep_position} of ${state.state.length}`;
    return `${state.patterns.length} stored; energy ${fmt(state.energy, 2)}; ${where}; ` +
      `closest stored pattern ${best + 1} (overlap ${fmt(state.overlaps[best], 2)})`;
  }

  drawGrid(canvas, values, side, highlight) {
    const context = canvas.getContext("2d");
    const cell = canvas.width / side;
    values.forEach((v, i) => {
      context.fillStyle = v > 0 ? "#222" : "#f4f4f4";
      context.fillRect((i % side) * cell, Math.floor(i / side) * cell, cell, cell);
    });
    if (highlight !== null && highlight !== undefined) {
      context.strokeStyle = "#d00";
      context.lineWidth = 2;
      context.strokeRect((highlight % side) * cell + 1, Math.floor(highlight / side) * cell + 1,
        cell - 2, cell - 2);
    }
  }
}

// ---- the SOM page ------------------------------------------------------------------------

class SOMPage {
  constructor() {
    this.session = new Session("som", (state) => this.draw(state));
    this.data = null;
    const s = this.session;
    const sides = [...Array(19).keys()].map((k) => k + 2);
    bindSelect(s, "som-dataset", "dataset", DATASETS);
    bindSelect(s, "som-rows", "rows", sides);
    bindSelect(s, "som-columns", "columns", sides);
    bindSelect(s, "som-topology", "topology", ["rectangular", "hexagonal"]);
    bindSelect(s, "som-sigma", "sigma", [0.5, 1, 2, 3, 5, 8]);
    bindSelect(s, "som-learning_rate", "learning_rate", [0.05, 0.1, 0.3, 0.5, 1]);
    this.play = bindPlay(s, "som-play");
    $("som-step").addEventListener("click", () => s.act("step", {steps: 1}));
    $("som-reset").addEventListener("click", () => s.act("reset"));
  }

  start() { return this.session.create({}); }

  draw(state) {
    if (state.data) this.data = state.data;
    for (const key of ["dataset", "rows", "columns", "topology", "sigma", "learning_rate"]) {
      showValue($(`som-${key}`), state.config[key]);
    }
    showPlaying(this.play, state.playing);
    $("som-step-count").textContent = state.step;
    $("som-n-iter").textContent = state.n_iter;
    $("som-error").textContent = fmt(state.quantization_error);
    drawCurves($("som-curve"), [{points: state.errors, colour: "#393"}]);
    const canvas = $("som-plane");
    const context = canvas.getContext("2d");
    context.fillStyle = "#fafafa";
    context.fillRect(0, 0, canvas.width, canvas.height);
    const scale = planeScale(canvas, state.extent);
    if (this.data) {
      context.globalAlpha = 0.5;
      drawPoints(context, scale, this.data.x, this.data.y, "white", 2.5);
      context.globalAlpha = 1;
    }
    const w = state.weights;
    context.strokeStyle = "#555";
    context.lineWidth = 1;
    context.beginPath();
    for (const [a, b] of state.links) {
      context.moveTo(scale.x(w[a][0]), scale.y(w[a][1]));
      context.lineTo(scale.x(w[b][0]), scale.y(w[b][1]));
    }
    context.stroke();
    w.forEach(([x, y], unit) => {
      const bmu = state.last && state.last.bmu === unit;
      context.beginPath();
      context.arc(scale.x(x), scale.y(y), bmu ? 5 : 3, 0, 2 * Math.PI);
      context.fillStyle = bmu ? "#d00" : "#222";
      context.fill();
    });
  }
}

// ---- tabs --------------------------------------------------------------------------------

const PAGES = {network: NetworkPage, perceptron: PerceptronPage, hopfield: HopfieldPage,
  som: SOMPage};
const pages = {};

async function showPage(name) {
  for (const button of document.querySelectorAll("#tabs button")) {
    button.classList.toggle("active", button.dataset.page === name);
  }
  for (const kind of Object.keys(PAGES)) $(`page-${kind}`).hidden = kind !== name;
  if (!pages[name]) {
    pages[name] = new PAGES[name]();
    try {
      await pages[name].start();
    } catch (error) {
      message.show(error.message);
    }
  }
}

document.querySelectorAll("#tabs button").forEach((button) => {
  button.addEventListener("click", () => showPage(button.dataset.page));
});
$("message").addEventListener("click", () => { $("message").hidden = true; });
window.addEventListener("pagehide", () => Object.values(pages).forEach((p) => p.session.close()));
showPage("network");
