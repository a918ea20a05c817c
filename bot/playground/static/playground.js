// The playground page: polls what the current demo user sees, renders Slack's Block Kit, and
// posts each interaction to the playground, which sends it to the bot as Slack would.
"use strict";

const ui = {
  user: null,        // current demo user id
  pane: null,        // conversation id shown, or "home"
  tab: "messages",   // in the app's DM: "home" or "messages"
  state: null,
  since: -1,
  poll: 0,           // generation: a user switch abandons the older long poll
  seen: {},          // user -> conversation -> messages seen (for unread badges)
  drawn: { messages: "", home: "", modal: "" },
};

const $ = (sel) => document.querySelector(sel);
const EMOJI = {
  white_check_mark: "✅", heavy_check_mark: "✔️", x: "❌", warning: "⚠️", hourglass: "⌛",
  hourglass_flowing_sand: "⏳", rocket: "🚀", stop_sign: "🛑", octagonal_sign: "🛑",
  red_circle: "🔴", large_green_circle: "🟢", green_circle: "🟢", yellow_circle: "🟡",
  large_blue_circle: "🔵", white_circle: "⚪", black_circle: "⚫", link: "🔗", key: "🔑",
  lock: "🔒", bell: "🔔", mag: "🔍", gear: "⚙️", information_source: "ℹ️", wave: "👋",
  tada: "🎉", zzz: "💤", recycle: "♻️", wastebasket: "🗑️", clock3: "🕒", alarm_clock: "⏰",
  bar_chart: "📊", chart_with_upwards_trend: "📈", package: "📦", computer: "💻",
  desktop_computer: "🖥️", arrows_counterclockwise: "🔄", repeat: "🔁", eyes: "👀",
  no_entry: "⛔", no_entry_sign: "🚫", bulb: "💡", memo: "📝", books: "📚", pushpin: "📌",
  calendar: "📆", moneybag: "💰", busts_in_silhouette: "👥", bust_in_silhouette: "👤",
  floppy_disk: "💾", fire: "🔥", sparkles: "✨", question: "❓", exclamation: "❗",
  hammer_and_wrench: "🛠️", lock_with_ink_pen: "🔏", door: "🚪", star: "⭐",
  black_square_for_stop: "⏹️", arrow_forward: "▶️", rotating_light: "🚨", grey_question: "❔",
  grey_exclamation: "❕", large_yellow_circle: "🟡", large_orange_circle: "🟠",
  large_red_circle: "🔴", double_vertical_bar: "⏸️", checkered_flag: "🏁", skull: "💀",
  hourglass_done: "⌛", satellite: "📡", scroll: "📜", speech_balloon: "💬",
};

function esc(text) {
  return String(text).replace(/[&<>"']/g, (c) => (
    { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}
function unslack(text) {  // Slack escapes &, < and > in message text
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}
function emoji(html) {
  return html.replace(/:([a-z0-9_+-]+):/g, (m, name) => EMOJI[name] || m);
}
function name(id) { return (ui.state && ui.state.names[id]) || id; }

// mrkdwn: links and mentions, code, bold, italic, strike, quotes, line breaks.
function mrkdwn(text) {
  const parts = [];
  const stash = (html) => { parts.push(html); return `\u0000${parts.length - 1}\u0000`; };
  let src = String(text || "");
  src = src.replace(/```([\s\S]*?)```/g, (m, code) => stash(`<pre>${esc(unslack(code))}</pre>`));
  src = src.replace(/`([^`\n]+)`/g, (m, code) => stash(`<code>${esc(unslack(code))}</code>`));
  src = src.replace(/<([^<>\n]+)>/g, (m, inner) => {
    const [target, label] = inner.split("|", 2);
    if (target.startsWith("@")) {
      return stash(`<span class="mention">@${esc(label || name(target.slice(1)))}</span>`);
    }
    if (target.startsWith("#")) {
      return stash(`<span class="mention">#${esc(label || name(target.slice(1)))}</span>`);
    }
    if (target.startsWith("!date^")) {  // <!date^epoch^{tokens}|fallback>: a local date
      const [, epoch, format] = target.split("^");
      return stash(`<span class="date">${esc(slackDate(Number(epoch), format || "", label))}</span>`);
    }
    if (target.startsWith("!")) {
      const word = target.slice(1).split("^")[0];
      return stash(`<span class="mention">@${esc(label || word)}</span>`);
    }
    const href = unslack(target);
    const safe = /^(https?:|mailto:)/i.test(href) ? href : "#";
    return stash(`<a href="${esc(safe)}" target="_blank" rel="noopener noreferrer">` +
      `${esc(unslack(label || target))}</a>`);
  });
  let html = esc(unslack(src));
  html = html.replace(/(^|[\s(>])\*([^*\n]+)\*(?=$|[\s).,!?:;<])/g, "$1<b>$2</b>");
  html = html.replace(/(^|[\s(>])_([^_\n]+)_(?=$|[\s).,!?:;<])/g, "$1<i>$2</i>");
  html = html.replace(/(^|[\s(>])~([^~\n]+)~(?=$|[\s).,!?:;<])/g, "$1<s>$2</s>");
  html = html.split("\n").map((line) => (
    line.startsWith("&gt; ") ? `<blockquote>${line.slice(5)}</blockquote>` : line + "<br>"
  )).join("").replace(/<br>$/, "");
  html = emoji(html);
  return html.replace(/\u0000(\d+)\u0000/g, (m, i) => parts[Number(i)]);
}

function slackDate(epoch, format, fallback) {
  const date = new Date(epoch * 1000);
  if (Number.isNaN(date.getTime())) return fallback || "";
  const day = (opts) => date.toLocaleDateString("en-US", opts);
  const tokens = {
    date_num: date.toISOString().slice(0, 10),
    date: day({ month: "long", day: "numeric", year: "numeric" }),
    date_short: day({ month: "short", day: "numeric", year: "numeric" }),
    date_long: day({ weekday: "long", month: "long", day: "numeric", year: "numeric" }),
    date_pretty: day({ month: "long", day: "numeric", year: "numeric" }),
    date_short_pretty: day({ month: "short", day: "numeric", year: "numeric" }),
    date_long_pretty: day({ weekday: "long", month: "long", day: "numeric", year: "numeric" }),
    time: date.toLocaleTimeString("en-US", { hour: "numeric", minute: "2-digit" }),
    time_secs: date.toLocaleTimeString("en-US"),
  };
  const today = new Date().toDateString() === date.toDateString();
  if (today) for (const key of ["date_pretty", "date_short_pretty", "date_long_pretty"]) {
    tokens[key] = "Today";
  }
  return format.replace(/\{(\w+)\}/g, (m, key) => tokens[key] || m) || fallback || "";
}

function textObject(obj) {
  if (!obj) return "";
  if (obj.type === "mrkdwn") return `<span class="mrkdwn">${mrkdwn(obj.text)}</span>`;
  const plain = esc(obj.text || "");
  return obj.emoji === false ? plain : emoji(plain);
}
function plainOf(obj) { return obj ? obj.text || "" : ""; }

function el(tag, attrs, html) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  if (html !== undefined) node.innerHTML = html;
  return node;
}

// --- elements -----------------------------------------------------------------------------

// ctx: { surface: "message"|"home"|"modal", channel, ts, view }
function options(element) {
  const list = [...(element.options || [])];
  for (const group of element.option_groups || []) list.push(...(group.options || []));
  return list;
}

function renderElement(element, block, ctx, inInput) {
  const type = element.type;
  const act = (value) => dispatch(element, block, ctx, value);
  if (type === "button") {
    const style = element.style ? ` ${element.style}` : "";
    return el("button", {
      type: "button", class: `btn${style}`, "data-action-id": element.action_id,
      "data-block-id": block.block_id,
      onclick: () => {
        if (element.url) window.open(element.url, "_blank", "noopener");
        act(element.value);
      },
    }, textObject(element.text));
  }
  if (type === "overflow") {
    const wrap = el("div", { class: "overflow" });
    const menu = el("div", { class: "menu", hidden: true });
    for (const option of options(element)) {
      menu.appendChild(el("button", {
        type: "button", "data-value": option.value,
        onclick: () => { menu.hidden = true; act(option.value); },
      }, textObject(option.text)));
    }
    wrap.appendChild(el("button", {
      type: "button", class: "btn", "aria-label": "More actions",
      "data-action-id": element.action_id, "data-block-id": block.block_id,
      onclick: () => { menu.hidden = !menu.hidden; },
    }, "⋮"));
    wrap.appendChild(menu);
    return wrap;
  }
  if (type === "static_select" || type === "multi_static_select" ||
      type === "users_select" || type === "multi_users_select" ||
      type === "conversations_select" || type === "channels_select" ||
      type === "multi_conversations_select" || type === "multi_channels_select") {
    const multi = type.startsWith("multi_");
    const select = el("select", {
      multiple: multi, "data-action-id": element.action_id, "data-block-id": block.block_id,
      "data-type": type,
    });
    if (!multi) {
      select.appendChild(el("option", { value: "", disabled: true, selected: true },
        esc(plainOf(element.placeholder) || "Select an item")));
    }
    const initial = new Set();
    if (element.initial_option) initial.add(element.initial_option.value);
    for (const o of element.initial_options || []) initial.add(o.value);
    for (const id of [element.initial_user, element.initial_conversation,
      element.initial_channel, ...(element.initial_users || []),
      ...(element.initial_conversations || []), ...(element.initial_channels || [])]) {
      if (id) initial.add(id);
    }
    const addOption = (parent, value, label) => {
      parent.appendChild(el("option", { value, selected: initial.has(value) }, esc(label)));
    };
    if (type.includes("static")) {
      for (const o of element.options || []) addOption(select, o.value, plainOf(o.text));
      for (const group of element.option_groups || []) {
        const og = el("optgroup", { label: plainOf(group.label) });
        for (const o of group.options || []) addOption(og, o.value, plainOf(o.text));
        select.appendChild(og);
      }
    } else {
      const wantUsers = type.includes("users");
      for (const [id, label] of Object.entries(ui.state.names)) {
        const isUser = /^[UW]/.test(id);
        if (isUser === wantUsers && id !== ui.state.bot.id) {
          addOption(select, id, (isUser ? "@" : "#") + label);
        }
      }
    }
    if (!inInput || element.dispatch_action || block.dispatch_action) {
      select.addEventListener("change", () => act(multi
        ? [...select.selectedOptions].map((o) => o.value) : select.value));
    }
    return select;
  }
  if (type === "plain_text_input" || type === "number_input" || type === "email_text_input" ||
      type === "url_text_input") {
    const attrs = {
      "data-action-id": element.action_id, "data-block-id": block.block_id, "data-type": type,
      placeholder: plainOf(element.placeholder), maxlength: element.max_length,
    };
    const field = element.multiline ? el("textarea", { ...attrs, rows: 4 })
      : el("input", { ...attrs, type: "text",
        inputmode: type === "number_input" ? (element.is_decimal_allowed ? "decimal" : "numeric")
          : undefined });
    field.value = element.initial_value || "";
    return field;
  }
  if (type === "checkboxes" || type === "radio_buttons") {
    const group = el("div", {
      class: "choices", "data-action-id": element.action_id, "data-block-id": block.block_id,
      "data-type": type,
    });
    const initial = new Set((element.initial_options || []).map((o) => o.value));
    if (element.initial_option) initial.add(element.initial_option.value);
    const groupName = `${block.block_id}-${element.action_id}`;
    for (const option of element.options || []) {
      const input = el("input", {
        type: type === "checkboxes" ? "checkbox" : "radio", name: groupName, value: option.value,
        checked: initial.has(option.value),
      });
      const label = el("label", { class: "choice" });
      label.appendChild(input);
      label.appendChild(el("span", {}, textObject(option.text) + (option.description
        ? ` <span class="description">${textObject(option.description)}</span>` : "")));
      group.appendChild(label);
    }
    return group;
  }
  if (type === "datepicker" || type === "timepicker") {
    const field = el("input", {
      type: type === "datepicker" ? "date" : "time", "data-type": type,
      "data-action-id": element.action_id, "data-block-id": block.block_id,
    });
    field.value = element.initial_date || element.initial_time || "";
    return field;
  }
  if (type === "image") {
    return el("img", { src: element.image_url, alt: element.alt_text || "" });
  }
  return el("span", { class: "b-hint" }, `[${esc(type)}]`);
}

// --- blocks -------------------------------------------------------------------------------

function renderBlocks(blocks, ctx) {
  const root = el("div", { class: "blocks" });
  for (const block of blocks || []) {
    const node = renderBlock(block, ctx);
    if (node) root.appendChild(node);
  }
  return root;
}

function renderBlock(block, ctx) {
  const attrs = (cls) => ({ class: cls, "data-block-id": block.block_id });
  switch (block.type) {
    case "header":
      return el("div", attrs("b-header"), textObject(block.text));
    case "divider":
      return el("hr", attrs("b-divider"));
    case "section": {
      const node = el("div", attrs("b-section"));
      const main = el("div", { class: "b-section-main" });
      if (block.text) main.appendChild(el("div", { class: "b-text" }, textObject(block.text)));
      if (block.fields) {
        const grid = el("div", { class: "b-fields" });
        for (const field of block.fields) grid.appendChild(el("div", {}, textObject(field)));
        main.appendChild(grid);
      }
      node.appendChild(main);
      if (block.accessory) node.appendChild(renderElement(block.accessory, block, ctx, false));
      return node;
    }
    case "context": {
      const node = el("div", attrs("b-context"));
      for (const item of block.elements || []) {
        node.appendChild(item.type === "image"
          ? el("img", { src: item.image_url, alt: item.alt_text || "" })
          : el("span", {}, textObject(item)));
      }
      return node;
    }
    case "actions": {
      const node = el("div", attrs("b-actions"));
      for (const element of block.elements || []) {
        node.appendChild(renderElement(element, block, ctx, false));
      }
      return node;
    }
    case "image": {
      const node = el("div", attrs("b-image"));
      if (block.title) node.appendChild(el("div", { class: "b-image-title" }, textObject(block.title)));
      node.appendChild(el("img", { src: block.image_url, alt: block.alt_text || "" }));
      return node;
    }
    case "input": {
      const node = el("div", attrs("b-input"));
      const error = ctx.errors && ctx.errors[block.block_id];
      if (error) node.classList.add("has-error");
      node.appendChild(el("div", { class: "label" }, textObject(block.label) +
        (block.optional ? ' <span class="optional">(optional)</span>' : "")));
      node.appendChild(renderElement(block.element, block, ctx, true));
      if (block.hint) node.appendChild(el("div", { class: "b-hint" }, textObject(block.hint)));
      if (error) node.appendChild(el("div", { class: "b-error" }, `⚠ ${esc(error)}`));
      return node;
    }
    case "markdown":
      return el("div", attrs("mrkdwn"), mrkdwn(block.text));
    case "rich_text":
      return el("div", attrs("b-text"), esc(richText(block)));
    default:
      return el("div", attrs("b-hint"), `[unsupported block ${esc(block.type)}]`);
  }
}

function richText(node) {
  if (typeof node.text === "string") return node.text;
  return (node.elements || []).map(richText).join("");
}

// --- state of inputs (what Slack puts in state.values) -----------------------------------

function readInput(node) {
  const type = node.dataset.type;
  if (node.tagName === "SELECT") {
    if (node.multiple) return [...node.selectedOptions].map((o) => o.value);
    return node.value || null;
  }
  if (type === "checkboxes") {
    return [...node.querySelectorAll("input:checked")].map((i) => i.value);
  }
  if (type === "radio_buttons") {
    const chosen = node.querySelector("input:checked");
    return chosen ? chosen.value : null;
  }
  return node.value === "" ? null : node.value;
}

function collectValues(container) {
  const values = {};
  for (const node of container.querySelectorAll(".b-input [data-block-id][data-type]")) {
    const value = readInput(node);
    if (value !== null && !(Array.isArray(value) && value.length === 0 &&
        node.dataset.type !== "checkboxes")) {
      values[node.dataset.blockId] = value;
    } else if (node.dataset.type === "checkboxes") {
      values[node.dataset.blockId] = value;
    }
  }
  return values;
}

function restoreValues(container, values) {
  for (const node of container.querySelectorAll(".b-input [data-block-id][data-type]")) {
    const value = values[node.dataset.blockId];
    if (value === undefined) continue;
    if (node.tagName === "SELECT") {
      const wanted = new Set(Array.isArray(value) ? value : [value]);
      for (const option of node.options) option.selected = wanted.has(option.value);
    } else if (node.dataset.type === "checkboxes" || node.dataset.type === "radio_buttons") {
      const wanted = new Set(Array.isArray(value) ? value : [value]);
      for (const input of node.querySelectorAll("input")) input.checked = wanted.has(input.value);
    } else if (value !== null) {
      node.value = value;
    }
  }
}

// What Slack's client checks before it sends a submission at all.
function localErrors(view, values) {
  const errors = {};
  for (const block of view.blocks || []) {
    if (block.type !== "input") continue;
    const value = values[block.block_id];
    const empty = value === undefined || value === null ||
      (Array.isArray(value) && value.length === 0);
    if (empty && !block.optional) {
      errors[block.block_id] = "Please fill out this field.";
    } else if (!empty && block.element.type === "number_input") {
      const number = Number(value);
      const pattern = block.element.is_decimal_allowed ? /^-?\d+(\.\d+)?$/ : /^-?\d+$/;
      const min = block.element.min_value, max = block.element.max_value;
      if (!pattern.test(String(value).trim())) {
        errors[block.block_id] = block.element.is_decimal_allowed
          ? "Please enter a number." : "Please enter a whole number.";
      } else if (min !== undefined && number < Number(min)) {
        errors[block.block_id] = `Please enter a number of at least ${min}.`;
      } else if (max !== undefined && number > Number(max)) {
        errors[block.block_id] = `Please enter a number no greater than ${max}.`;
      }
    }
  }
  return errors;
}

// --- interactions -------------------------------------------------------------------------

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ user: ui.user, ...body }),
  });
  if (!response.ok) toast(`The playground refused that (${response.status}).`);
  return response;
}

function dispatch(element, block, ctx, value) {
  const send = () => {
    const body = { action_id: element.action_id, block_id: block.block_id, value };
    if (ctx.surface === "message") Object.assign(body, { channel: ctx.channel, ts: ctx.ts });
    else body.view_id = ctx.view.id;
    if (ctx.surface === "modal") body.values = collectValues($("#modal-layer"));
    return post("/ui/action", body);
  };
  if (element.confirm) confirmThen(element.confirm, send);
  else send();
}

function confirmThen(confirm, then) {
  const layer = $("#confirm-layer");
  layer.innerHTML = "";
  const dialog = el("div", { class: "dialog", role: "alertdialog", "aria-modal": "true" });
  dialog.appendChild(el("h2", {}, textObject(confirm.title || { type: "plain_text", text: "Are you sure?" })));
  dialog.appendChild(el("div", { class: "dialog-text" }, textObject(confirm.text)));
  const foot = el("div", { class: "dialog-foot" });
  const close = () => { layer.hidden = true; layer.innerHTML = ""; };
  foot.appendChild(el("button", { type: "button", class: "btn", "data-role": "deny",
    onclick: close }, textObject(confirm.deny || { type: "plain_text", text: "Cancel" })));
  foot.appendChild(el("button", {
    type: "button", class: confirm.style === "danger" ? "btn danger-fill" : "btn primary",
    "data-role": "confirm", onclick: () => { close(); then(); },
  }, textObject(confirm.confirm || { type: "plain_text", text: "Yes" })));
  dialog.appendChild(foot);
  layer.appendChild(dialog);
  layer.hidden = false;
}

let toastTimer = 0;
function toast(text) {
  const node = $("#toast");
  node.textContent = text;
  node.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { node.hidden = true; }, 4000);
}

// --- drawing the page ---------------------------------------------------------------------

function conversation(id) {
  return ui.state.conversations.find((c) => c.id === id);
}

function drawSidebar() {
  const s = ui.state;
  const people = $("#people");
  people.innerHTML = "";
  for (const person of s.users) {
    people.appendChild(el("button", {
      type: "button", role: "radio", "aria-checked": person.id === ui.user ? "true" : "false",
      class: `nav-item person${person.id === ui.user ? " active" : ""}`,
      "data-user": person.id, onclick: () => switchUser(person.id),
    }, `<span class="dot"></span>${esc(person.name)}` +
      (person.admin ? ' <span class="admin-tag">admin</span>' : "")));
  }
  const seen = ui.seen[ui.user] || (ui.seen[ui.user] = {});
  const item = (c, label, pane) => {
    const count = c ? c.messages.length : 0;
    if (pane === ui.pane && c) seen[c.id] = count;
    const unread = c ? count - (seen[c.id] || 0) : 0;
    return el("button", {
      type: "button", class: `nav-item${pane === ui.pane && (pane !== dmId() ||
        (label === "Home") === (ui.tab === "home")) ? " active" : ""}`,
      "data-pane": label === "Home" ? "home" : pane,
      onclick: () => show(pane, label === "Home" ? "home" : "messages"),
    }, label + (unread > 0 && pane !== ui.pane ? `<span class="badge">${unread}</span>` : ""));
  };
  const channels = $("#channels"), dms = $("#dms"), apps = $("#apps");
  channels.innerHTML = dms.innerHTML = apps.innerHTML = "";
  for (const c of s.conversations) {
    if (c.kind === "channel") channels.appendChild(item(c, `# ${esc(c.name)}`, c.id));
    else dms.appendChild(item(c, `<span class="dot"></span>${esc(c.name)}`, c.id));
  }
  apps.appendChild(item(null, "Home", dmId()));
  const me = s.users.find((u) => u.id === ui.user);
  $("#token").value = me.token;
}

function dmId() {
  return ui.state.conversations.find((c) => c.kind === "im").id;
}

function time(ts) {
  const date = new Date(Number(String(ts).split(".")[0]) * 1000);
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function drawMessages() {
  const c = conversation(ui.pane);
  const pane = $("#messages");
  const signature = JSON.stringify([ui.user, ui.pane, c.messages]);
  if (signature === ui.drawn.messages) return;
  const atBottom = pane.scrollHeight - pane.scrollTop - pane.clientHeight < 40;
  ui.drawn.messages = signature;
  pane.innerHTML = "";
  if (!c.messages.length) {
    pane.appendChild(el("div", { class: "empty" }, c.kind === "im"
      ? "This is your conversation with the scnet app. Type <code>/scnet help</code> below."
      : `This is the very beginning of <b>#${esc(c.name)}</b>. Type <code>/scnet help</code> below.`));
  }
  for (const m of c.messages) pane.appendChild(drawMessage(m, c));
  if (atBottom || true) pane.scrollTop = pane.scrollHeight;
}

function drawMessage(m, c) {
  const me = ui.state.users.find((u) => u.id === ui.user);
  const kind = m.author;  // "bot", "command" (what you typed), "slackbot"
  const node = el("div", {
    class: `message${m.ephemeral ? " ephemeral" : ""}${kind === "command" ? " command" : ""}`,
    "data-ts": m.ts, "data-ephemeral": m.ephemeral ? "true" : "false", "data-author": kind,
  });
  const avatar = kind === "bot" ? ["S", ""] : kind === "slackbot" ? ["✱", " slackbot"]
    : [me.name[0], " you"];
  node.appendChild(el("div", { class: `avatar${avatar[1]}` }, esc(avatar[0])));
  const body = el("div", { class: "message-body" });
  const author = kind === "bot" ? `${esc(ui.state.bot.name)} <span class="app-tag">APP</span>`
    : kind === "slackbot" ? "Slackbot" : esc(me.name);
  body.appendChild(el("div", { class: "message-meta" },
    `<span class="author">${author}</span><span class="time">${time(m.ts)}</span>` +
    (m.edited ? '<span class="edited">(edited)</span>' : "")));
  if (m.thread_ts && m.thread_ts !== m.ts) {
    body.appendChild(el("div", { class: "thread-tag" }, "↳ replied in a thread"));
  }
  if (m.blocks && m.blocks.length) {
    body.appendChild(renderBlocks(m.blocks, { surface: "message", channel: c.id, ts: m.ts }));
  } else {
    body.appendChild(el("div", { class: "message-text mrkdwn" },
      kind === "command" ? esc(m.text) : mrkdwn(m.text)));
  }
  if (m.ephemeral) {
    body.appendChild(el("div", { class: "ephemeral-tag" }, "👁 Only visible to you"));
  }
  node.appendChild(body);
  return node;
}

function drawHome() {
  const home = $("#home");
  const view = ui.state.home;
  const signature = JSON.stringify([ui.user, view]);
  if (signature === ui.drawn.home) return;
  ui.drawn.home = signature;
  home.innerHTML = "";
  if (!view) {
    home.appendChild(el("div", { class: "empty" }, "Opening the app's Home tab…"));
    return;
  }
  home.appendChild(renderBlocks(view.blocks, { surface: "home", view }));
}

function drawModal() {
  const layer = $("#modal-layer");
  const view = ui.state.modal;
  const signature = JSON.stringify([ui.user, view && [view.id, view.hash, view.errors]]);
  if (signature === ui.drawn.modal) return;
  ui.drawn.modal = signature;
  const kept = view && layer.dataset.viewId === view.id ? collectValues(layer) : {};
  layer.innerHTML = "";
  if (!view) { layer.hidden = true; delete layer.dataset.viewId; return; }
  layer.dataset.viewId = view.id;
  const box = el("div", { class: "modal", role: "dialog", "aria-modal": "true",
    "data-callback-id": view.callback_id });
  const head = el("div", { class: "modal-head" });
  head.appendChild(el("div", { class: "app-icon" }, "S"));
  head.appendChild(el("div", { class: "modal-title" }, textObject(view.title)));
  head.appendChild(el("button", { type: "button", class: "close-x", "aria-label": "Close",
    onclick: () => post("/ui/close", { view_id: view.id }) }, "×"));
  box.appendChild(head);
  const body = el("div", { class: "modal-body" });
  body.appendChild(renderBlocks(view.blocks, { surface: "modal", view, errors: view.errors }));
  box.appendChild(body);
  if (view.errors && view.errors[""]) {
    box.appendChild(el("div", { class: "modal-error" }, esc(view.errors[""])));
  }
  const foot = el("div", { class: "modal-foot" });
  foot.appendChild(el("button", { type: "button", class: "btn", "data-role": "close",
    onclick: () => post("/ui/close", { view_id: view.id }) },
    textObject(view.close || { type: "plain_text", text: "Cancel" })));
  if (view.submit) {
    foot.appendChild(el("button", { type: "button", class: "btn primary", "data-role": "submit",
      onclick: () => submit(view) }, textObject(view.submit)));
  }
  box.appendChild(foot);
  layer.appendChild(box);
  layer.hidden = false;
  restoreValues(layer, kept);
}

async function submit(view) {
  const layer = $("#modal-layer");
  const values = collectValues(layer);
  const errors = localErrors(view, values);
  if (Object.keys(errors).length) {  // Slack's client stops these before the app sees them
    ui.drawn.modal = "";
    ui.state.modal = { ...view, errors };
    drawModal();
    return;
  }
  for (const button of layer.querySelectorAll(".modal-foot button")) button.disabled = true;
  await post("/ui/submit", { view_id: view.id, values });
}

function draw() {
  if (!ui.state) return;
  if (!ui.pane) ui.pane = ui.state.conversations[0].id;
  const c = conversation(ui.pane);
  const isDm = c.kind === "im";
  const showHome = isDm && ui.tab === "home";
  drawSidebar();
  $("#pane-title").innerHTML = isDm ? `<span class="dot"></span> ${esc(c.name)}`
    : `# ${esc(c.name)}`;
  $("#pane-tabs").hidden = !isDm;
  for (const tab of document.querySelectorAll("#pane-tabs .tab")) {
    tab.classList.toggle("active", tab.dataset.tab === (showHome ? "home" : "messages"));
  }
  $("#messages").hidden = showHome;
  $("#composer").hidden = showHome;
  $("#home").hidden = !showHome;
  if (showHome) drawHome(); else drawMessages();
  $("#composer-input").placeholder = isDm ? `Message ${c.name}` : `Message #${c.name}`;
  drawModal();
}

function show(pane, tab) {
  ui.pane = pane;
  ui.tab = tab || "messages";
  ui.drawn.messages = "";
  if (ui.tab === "home") post("/ui/home", {});
  draw();
}

function switchUser(userId) {
  if (userId === ui.user) return;
  ui.user = userId;
  ui.pane = null;
  ui.tab = "messages";
  ui.since = -1;
  ui.state = null;
  ui.drawn = { messages: "", home: "", modal: "" };
  document.body.dataset.user = userId;
  loop();
}

async function loop() {
  const generation = ++ui.poll;
  while (generation === ui.poll) {
    try {
      const response = await fetch(`/ui/state?user=${encodeURIComponent(ui.user)}&since=${ui.since}`);
      if (generation !== ui.poll) return;
      if (!response.ok) throw new Error(String(response.status));
      ui.state = await response.json();
      ui.since = ui.state.version;
      draw();
      document.body.dataset.version = String(ui.since);
    } catch (error) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

async function start() {
  const first = await (await fetch("/ui/state")).json();
  const wanted = new URLSearchParams(location.search).get("user");
  ui.user = first.users.some((u) => u.id === wanted) ? wanted : first.me.id;
  document.body.dataset.user = ui.user;
  $("#composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("#composer-input");
    const text = input.value.trim();
    if (!text) return;
    const command = ui.state.command;
    if (text !== command && !text.startsWith(command + " ")) {
      toast(`This playground only knows ${command}: try ${command} help`);
      return;
    }
    input.value = "";
    await post("/ui/command", { channel: ui.pane, text: text.slice(command.length).trim() });
  });
  for (const tab of document.querySelectorAll("#pane-tabs .tab")) {
    tab.addEventListener("click", () => show(ui.pane, tab.dataset.tab));
  }
  $("#copy-token").addEventListener("click", async () => {
    const field = $("#token");
    field.select();
    try { await navigator.clipboard.writeText(field.value); } catch (e) { document.execCommand("copy"); }
    toast("Token copied: paste it into the /scnet login form.");
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !$("#confirm-layer").hidden) {
      $("#confirm-layer").hidden = true;
    }
  });
  loop();
}

start();
