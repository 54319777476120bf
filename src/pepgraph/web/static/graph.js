// The network graph: cytoscape (vendored), expand a node through the API's /entities/{id}/adjacent,
// export PNG (cytoscape) and GraphML (written here from what is on screen).
"use strict";
(function () {
  const holder = document.getElementById("graph-data");
  if (!holder || typeof cytoscape === "undefined") return;
  const data = JSON.parse(holder.textContent);
  const status = document.getElementById("graph-status");
  const expandBtn = document.getElementById("expand");
  const offsets = {};
  const COLORS = { "role.pep": "#b3261e", "role.rca": "#9a5b00", "sanction": "#3f1d6e" };

  function nodeEl(n) {
    const topic = ["sanction", "role.pep", "role.rca"].find((t) => (n.topics || []).includes(t));
    return { group: "nodes", data: { id: n.id, label: n.caption, schema: n.schema, topics: (n.topics || []).join(";"),
      countries: (n.countries || []).join(";"), color: COLORS[topic] || (n.schema === "Person" ? "#1f5f99" : "#6b6b6b"),
      root: n.id === data.root ? 1 : 0 } };
  }
  function edgeEl(e) {
    return { group: "edges", data: { id: e.id + ":" + e.source + ":" + e.target, source: e.source, target: e.target,
      label: e.label, schema: e.schema, datasets: (e.datasets || []).join(";") } };
  }

  // a tree from the person for small graphs (families read best that way), a force layout for large ones
  function layoutFor(n) {
    return n <= 40
      ? { name: "breadthfirst", roots: "#" + CSS.escape(data.root), directed: false, spacingFactor: 1.3, padding: 40, animate: false }
      : { name: "cose", animate: false, nodeRepulsion: 9000, idealEdgeLength: 110, padding: 30 };
  }

  const cy = cytoscape({
    container: document.getElementById("cy"),
    elements: [...data.nodes.map(nodeEl), ...data.edges.map(edgeEl)],
    minZoom: 0.15, maxZoom: 1.4,
    style: [
      { selector: "node", style: { "background-color": "data(color)", label: "data(label)", "font-size": 11,
        "text-wrap": "wrap", "text-max-width": 140, "text-valign": "bottom", "text-margin-y": 4, width: 22, height: 22 } },
      { selector: "node[schema != 'Person']", style: { shape: "round-rectangle" } },
      { selector: "node[root = 1]", style: { width: 32, height: 32, "border-width": 3, "border-color": "#111" } },
      { selector: "node:selected", style: { "border-width": 4, "border-color": "#f2a900" } },
      { selector: "edge", style: { width: 1.5, "line-color": "#999", "target-arrow-color": "#999", "target-arrow-shape": "triangle",
        "curve-style": "bezier", label: "data(label)", "font-size": 9, color: "#333", "text-rotation": "autorotate",
        "text-background-color": "#fff", "text-background-opacity": 0.85, "text-background-padding": 1 } },
    ],
    layout: layoutFor(data.nodes.length),
  });

  function say() {
    status.textContent = cy.nodes().length + " nodes, " + cy.edges().length + " links" + (cy.$("node:selected").length ? "; selected: " + cy.$("node:selected").data("label") : "") + ".";
  }
  function select(id) {
    cy.$("node:selected").unselect();
    const n = cy.getElementById(id);
    if (n.length) { n.select(); cy.animate({ center: { eles: n } }, { duration: 200 }); }
    expandBtn.disabled = !n.length;
    say();
  }
  cy.on("tap", "node", (ev) => select(ev.target.id()));
  document.querySelectorAll(".node-pick").forEach((b) => b.addEventListener("click", () => select(b.dataset.id)));

  async function expand() {
    const n = cy.$("node:selected");
    if (!n.length) return;
    const id = n.id();
    const offset = offsets[id] || 0;
    const resp = await fetch("/entities/" + encodeURIComponent(id) + "/adjacent?limit=25&offset=" + offset, { credentials: "same-origin" });
    if (!resp.ok) { status.textContent = "Could not expand: " + resp.status; return; }
    const page = await resp.json();
    offsets[id] = page.next || offset + page.edges.length;
    const added = cy.add([...page.nodes.filter((x) => !cy.getElementById(x.id).length).map(nodeEl),
                          ...page.edges.map(edgeEl).filter((e) => !cy.getElementById(e.data.id).length)]);
    const list = document.getElementById("node-list");
    added.nodes().forEach((x) => {
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button"; b.className = "link node-pick"; b.textContent = x.data("label");
      b.addEventListener("click", () => select(x.id()));
      li.appendChild(b); list.appendChild(li);
    });
    const edges = document.getElementById("edge-list");
    added.edges().forEach((e) => {
      const li = document.createElement("li");
      li.textContent = e.source().data("label") + " — " + e.data("label") + " → " + e.target().data("label");
      edges.appendChild(li);
    });
    cy.stop(true, true); // a running "centre on the selection" would undo the fit
    cy.layout(layoutFor(cy.nodes().length)).run();
    cy.fit(undefined, 30);
    say();
    status.textContent += " Added " + added.nodes().length + " nodes" + (page.next ? "; expand again for more (" + (page.total - page.next) + " left)." : ".");
  }
  expandBtn.addEventListener("click", expand);

  function download(name, blob) {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob); a.download = name;
    document.body.appendChild(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }
  document.getElementById("png").addEventListener("click", () => {
    download(data.root + ".png", cy.png({ output: "blob", full: true, bg: "#ffffff", scale: 2 }));
  });
  const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  document.getElementById("graphml").addEventListener("click", () => {
    const out = ['<?xml version="1.0" encoding="UTF-8"?>', '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'];
    for (const [k, d] of [["label", "node"], ["schema", "node"], ["topics", "node"], ["countries", "node"], ["label", "edge"], ["schema", "edge"], ["datasets", "edge"]])
      out.push(`  <key id="${d[0]}_${k}" for="${d}" attr.name="${k}" attr.type="string"/>`);
    out.push('  <graph id="pepgraph" edgedefault="directed">');
    cy.nodes().forEach((n) => out.push(`    <node id="${esc(n.id())}"><data key="n_label">${esc(n.data("label"))}</data><data key="n_schema">${esc(n.data("schema"))}</data><data key="n_topics">${esc(n.data("topics"))}</data><data key="n_countries">${esc(n.data("countries"))}</data></node>`));
    cy.edges().forEach((e) => out.push(`    <edge id="${esc(e.id())}" source="${esc(e.source().id())}" target="${esc(e.target().id())}"><data key="e_label">${esc(e.data("label"))}</data><data key="e_schema">${esc(e.data("schema"))}</data><data key="e_datasets">${esc(e.data("datasets"))}</data></edge>`));
    out.push("  </graph>", "</graphml>", "");
    download(data.root + ".graphml", new Blob([out.join("\n")], { type: "application/xml" }));
  });
  window.pepgraphCy = cy; // for tests and the console
})();
