/**
 * The demo page: three phones, each a chat with the bot, kept in step by long polling
 * GET /api/state?since=<version>&wait=25; what a phone does goes to the JSON API
 * (POST /api/send, /api/press, /api/open, /api/upload, /api/next-day; see demo/web.py).
 *
 * Stable hooks for browser tests (<phone> is coordinator, executor or parent; <id> the
 * message id; <r>/<c> the button's row and column, from 0):
 *   #phone-<phone>        [data-testid=phone-<phone>]       the phone
 *   #chat-<phone>         [data-testid=chat-<phone>]        its message list
 *   [data-testid=message-<phone>-<id>]  a message; data-from="bot"|"user", data-kind,
 *                                       data-edits (how many times the bot edited it)
 *   [data-testid=text-<phone>-<id>]     its text
 *   [data-testid=button-<phone>-<id>-<r>-<c>]  an inline button; data-callback (its callback
 *                                       data) or data-url (a link button)
 *   [data-testid=file-<phone>-<id>]     a file's download link; [data-testid=photo-<phone>-<id>]
 *                                       a photo (QR codes too)
 *   #input-<phone>  [data-testid=input-<phone>]   the text field
 *   #send-<phone>   [data-testid=send-<phone>]    its send button (Enter sends too)
 *   #file-<phone>   [data-testid=file-input-<phone>]  the file picker (choosing a file sends it)
 *   #next-day [data-testid=next-day]   «▶ следующий день»; #day [data-testid=day] the demo day
 *   #survey-link [data-testid=survey-link]  the parent's survey link (opens it as Telegram would)
 * document.body.dataset.version is the state version last drawn.
 */
"use strict";

const PHONES = ["coordinator", "executor", "parent"];
let version = null;
let surveyLink = "";

async function api(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body || {}),
  });
  return response.json();
}

function el(tag, attributes, text) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function press(phone, message, button) {
  if (button.data !== undefined) {
    api("/api/press", { phone, message_id: message.id, data: button.data });
  } else if (button.reply) {
    api("/api/send", { phone, text: button.text });
  } else {
    openLink(phone, button.url);
  }
}

async function openLink(phone, url) {
  const result = await api("/api/open", { phone, url });
  if (!result.opened) window.open(url, "_blank", "noopener");
}

function drawMessage(phone, message) {
  const box = el("div", {
    class: "msg " + message.from,
    "data-testid": `message-${phone}-${message.id}`,
    "data-from": message.from,
    "data-kind": message.kind,
    "data-edits": String(message.edits || 0),
  });
  if (message.kind === "photo" && message.file_url) {
    box.append(el("img", {
      src: message.file_url, alt: "фото", "data-testid": `photo-${phone}-${message.id}`,
    }));
  } else if (message.file_url) {
    const link = el("a", {
      href: message.file_url, download: message.file_name || "",
      "data-testid": `file-${phone}-${message.id}`,
    }, "📄 " + (message.file_name || "файл"));
    box.append(link);
  } else if (message.file_name || message.kind === "photo") {
    box.append(el("div", {}, "📎 " + (message.file_name || "фото")));
  }
  const text = el("div", { "data-testid": `text-${phone}-${message.id}` });
  if (message.from === "bot") text.innerHTML = message.html; // escaped by the server
  else text.textContent = message.text;
  box.append(text);
  if (message.edits) box.append(el("span", { class: "edited" }, "изменено"));
  const rows = message.buttons || [];
  if (rows.length) {
    const buttons = el("div", { class: "buttons" });
    rows.forEach((row, r) => {
      const line = el("div", { class: "row" });
      row.forEach((button, c) => {
        const attributes = { type: "button", "data-testid": `button-${phone}-${message.id}-${r}-${c}` };
        if (button.data !== undefined) attributes["data-callback"] = button.data;
        if (button.url) attributes["data-url"] = button.url;
        const node = el("button", attributes, button.text + (button.url ? " ↗" : ""));
        node.addEventListener("click", () => press(phone, message, button));
        line.append(node);
      });
      buttons.append(line);
    });
    box.append(buttons);
  }
  return box;
}

function draw(state) {
  document.getElementById("day").textContent =
    new Date(state.day + "T00:00:00").toLocaleDateString("ru-RU", {
      weekday: "short", day: "numeric", month: "long", year: "numeric",
    });
  surveyLink = state.survey_link;
  for (const phone of PHONES) {
    const chat = document.getElementById("chat-" + phone);
    const atBottom = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 40;
    chat.replaceChildren(...state.phones[phone].messages.map((m) => drawMessage(phone, m)));
    if (atBottom) chat.scrollTop = chat.scrollHeight;
  }
  document.body.dataset.version = String(state.version);
}

async function poll() {
  for (;;) {
    try {
      const query = version === null ? "" : `?since=${version}&wait=25`;
      const state = await (await fetch("/api/state" + query)).json();
      version = state.version;
      draw(state);
    } catch (error) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

function buildPhone(phone) {
  const section = document.getElementById("phone-" + phone);
  section.append(el("div", { class: "chat", id: "chat-" + phone, "data-testid": "chat-" + phone }));
  const form = el("form", { class: "input" });
  const input = el("input", {
    type: "text", id: "input-" + phone, "data-testid": "input-" + phone,
    placeholder: "Сообщение", autocomplete: "off",
  });
  const file = el("input", { type: "file", id: "file-" + phone, "data-testid": "file-input-" + phone });
  const clip = el("label", { for: "file-" + phone, title: "Отправить файл" }, "📎");
  const send = el("button", { type: "submit", id: "send-" + phone, "data-testid": "send-" + phone }, "➤");
  form.append(clip, file, input, send);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (text) api("/api/send", { phone, text });
    input.value = "";
  });
  file.addEventListener("change", async () => {
    if (!file.files.length) return;
    const data = new FormData();
    data.append("phone", phone);
    data.append("file", file.files[0]);
    await fetch("/api/upload", { method: "POST", body: data });
    file.value = "";
  });
  section.append(form);
}

PHONES.forEach(buildPhone);
document.getElementById("next-day").addEventListener("click", async (event) => {
  event.target.disabled = true;
  try { await api("/api/next-day"); } finally { event.target.disabled = false; }
});
document.getElementById("survey-link").addEventListener("click", () => {
  if (surveyLink) openLink("parent", surveyLink);
});
poll();
