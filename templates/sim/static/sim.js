// 提级 simulator page. Plain JS over the JSON API (DESIGN §4); every text goes in through
// textContent or text nodes (never parsed as HTML), so nothing a user types can become markup.
"use strict";
(function () {
  const POLL_MS = 1000;
  const ROLE_NAMES = {
    staff: "工作人员", section_head: "股室负责人", deputy: "分管领导", principal: "主要领导",
    office: "活动办公室", discipline: "纪检组", admin: "管理员",
  };
  const PASS_NAMES = { consultations: "会商期限", reminders: "催办提醒", overdue: "逾期提醒", digest: "季度汇总", report_tasks: "报表任务" };
  const WEEKDAYS = ["周日", "周一", "周二", "周三", "周四", "周五", "周六"];

  const state = {
    people: [], me: null, groups: [], group: null,
    chat: newStream(), groupStream: newStream(),
    clockOffsetMs: 0, clockBase: null, clockAdjustable: true, busy: false,
  };

  function newStream() { return { items: new Map(), seq: 0, generation: 0 }; }
  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (k === "dataset") Object.assign(node.dataset, v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  // ---- API -------------------------------------------------------------------------------
  async function api(method, path, body) {
    const init = { method, headers: {} };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    let data = null;
    try { data = await response.json(); } catch (_) { data = null; }
    if (!response.ok) {
      const message = data && data.message ? data.message : `请求失败（${response.status}）`;
      throw new Error(message);
    }
    return data;
  }

  // A toast is a short notice: the bot's own (long) replies are in the conversation already, so
  // only an error is shown in full; anything else is cut to its first line.
  const TOAST_CHARS = 40;
  function brief(message) {
    const first = String(message || "").split("\n")[0].trim();
    return first.length > TOAST_CHARS ? first.slice(0, TOAST_CHARS) + "…" : first;
  }

  let toastTimer = null;
  function toast(message, isError) {
    const box = $("toast");
    box.textContent = isError ? message : brief(message);
    box.className = isError ? "toast error" : "toast";
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { box.hidden = true; }, isError ? 6000 : 3500);
  }

  // ---- Tabs (phones) ---------------------------------------------------------------------
  function showTab(name) {
    document.querySelectorAll(".tabs button").forEach((b) => b.classList.toggle("active", b.dataset.tab === name));
    document.querySelectorAll(".panel").forEach((p) => p.classList.toggle("active", p.dataset.panel === name));
  }

  // ---- Clock -----------------------------------------------------------------------------
  function applyClock(data) {
    state.clockBase = data.now;
    state.clockOffsetMs = Date.parse(data.now) - Date.now();
    state.clockAdjustable = data.adjustable !== false;
    const offset = $("clock-offset");
    const seconds = Number(data.offset_seconds || 0);
    offset.hidden = Math.abs(seconds) < 60;
    offset.textContent = offset.hidden ? "" : `模拟·${describeOffset(seconds)}`;
    offset.title = "模拟时间与真实时间相差这么多；重启后保持。点“调时间 → 回到现在”恢复。";
    document.querySelectorAll(".clock-buttons button").forEach((b) => {
      if (b.id !== "tick") b.disabled = !state.clockAdjustable;
    });
    renderClock();
  }

  function offsetOf(iso) {
    const m = /([+-])(\d\d):(\d\d)$/.exec(iso || "");
    if (!m) return 0;
    return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  }

  function localParts(ms, offsetMinutes) {
    const d = new Date(ms + offsetMinutes * 60000);
    return {
      y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(),
      h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds(), wd: d.getUTCDay(),
    };
  }
  const pad = (n) => String(n).padStart(2, "0");

  function renderClock() {
    if (!state.clockBase) return;
    const p = localParts(Date.now() + state.clockOffsetMs, offsetOf(state.clockBase));
    $("clock-now").textContent = `${p.y}-${pad(p.mo)}-${pad(p.d)} ${WEEKDAYS[p.wd]} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}`;
  }

  function describeOffset(seconds) {
    const ahead = seconds > 0;
    const hours = Math.round(Math.abs(seconds) / 3600);
    const days = Math.floor(hours / 24);
    const parts = [];
    if (days) parts.push(`${days}天`);
    else parts.push(`${hours}小时`);
    return (ahead ? "快" : "慢") + parts.join("");
  }

  async function loadClock() { applyClock(await api("GET", "/sim/api/clock")); }

  async function moveClock(body, label) {
    try {
      applyClock(await api("POST", "/sim/api/clock", body));
      toast(`时间已${label}`);
    } catch (e) { toast(e.message, true); }
  }

  function nextQuarterStart() {
    const offset = offsetOf(state.clockBase);
    const p = localParts(Date.now() + state.clockOffsetMs, offset);
    let month = Math.floor((p.mo - 1) / 3) * 3 + 4;
    let year = p.y;
    if (month > 12) { month = 1; year += 1; }
    const sign = offset < 0 ? "-" : "+";
    const abs = Math.abs(offset);
    return `${year}-${pad(month)}-01T09:00:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  }

  // ---- People ----------------------------------------------------------------------------
  function roleBadges(roles) {
    return (roles || []).map((r) => el("span", { class: "role", text: ROLE_NAMES[r] || r }));
  }

  function renderPeople() {
    const box = $("people");
    box.replaceChildren();
    if (!state.people.length) {
      box.append(el("p", { class: "hint", text: "组织里还没有人员：请先导入组织文件（tiji org import）。" }));
      return;
    }
    const query = ($("people-search").value || "").trim().toLowerCase();
    const shown = state.people.filter((p) => !query || [p.name, p.title, p.handle, p.department, p.unit]
      .concat((p.roles || []).map((r) => ROLE_NAMES[r] || r))
      .some((v) => v && String(v).toLowerCase().includes(query)));
    if (!shown.length) {
      box.append(el("p", { class: "hint", text: `没有找到“${query}”。可搜索姓名、职务、股室或账号。` }));
      return;
    }
    // Unit by unit (the API sends them in that order), then the unit's sections.
    let unitName = null;
    let section = null;
    let sectionName = null;
    for (const person of shown) {
      if (person.unit !== unitName) {
        unitName = person.unit;
        sectionName = null;
        box.append(el("h3", { class: "unit", text: unitName || "未分单位" }));
      }
      const name = person.department || "单位领导及其他";
      if (name !== sectionName) {
        sectionName = name;
        section = el("div", { class: "dept" }, el("h4", { text: name }));
        box.append(section);
      }
      section.append(el("div", { class: "person-row" },
        el("button", {
          type: "button",
          class: "person" + (state.me && state.me.handle === person.handle ? " current" : ""),
          dataset: { handle: person.handle },
          onclick: () => choosePerson(person.handle),
        },
        el("span", { class: "name", text: person.name }),
        el("span", { class: "sub", text: [person.title, person.handle].filter(Boolean).join(" · ") }),
        el("span", {}, ...roleBadges(person.roles))),
        el("a", {
          class: "open-as", href: openAsUrl(person.handle), target: "_blank", rel: "noopener",
          title: `以${person.name}的身份打开手机页面`, dataset: { openAs: person.handle },
        }, "以此身份打开")));
    }
  }

  function openAsUrl(handle) { return `/sim/open-as/${encodeURIComponent(handle)}?next=/m/todo`; }

  function renderMe() {
    const me = $("me");
    me.replaceChildren();
    const pages = $("open-pages");
    pages.hidden = !state.me;
    if (!state.me) { me.textContent = "尚未选择人员"; return; }
    pages.href = openAsUrl(state.me.handle);
    me.append(state.me.name, el("span", { class: "sub", text: [state.me.department, state.me.title].filter(Boolean).join(" · ") }));
  }

  function choosePerson(handle) {
    const person = state.people.find((p) => p.handle === handle);
    if (!person) { toast(`组织里没有账号为 ${handle} 的人员`, true); return; }
    if (state.me && state.me.handle === handle) { showTab("chat"); return; }
    state.me = person;
    history.replaceState(null, "", `#p=${encodeURIComponent(handle)}`);
    state.chat = newStream();
    const box = $("conversation");
    box.replaceChildren(el("p", { class: "hint empty", text: "还没有消息。发“帮助”看看机器人能做什么。" }));
    renderPeople();
    renderMe();
    showTab("chat");
    pollChat();
  }

  // ---- Rendering items -------------------------------------------------------------------
  // A very small, safe markdown: headings, bullets, **bold** and [text](/relative) links.
  function markdown(text) {
    const frag = document.createDocumentFragment();
    const lines = String(text || "").split("\n");
    lines.forEach((line, i) => {
      const heading = /^#{1,6}\s+(.*)$/.exec(line);
      const quote = /^\s*>\s?(.*)$/.exec(line);
      if (heading) {
        frag.append(el("span", { class: "md-h" }, ...inline(heading[1])));
      } else if (quote) {
        frag.append(el("blockquote", {}, ...inline(quote[1])));
        return; // a block of its own: no line break after it
      } else {
        const bullet = /^\s*[-*]\s+(.*)$/.exec(line);
        if (bullet) frag.append("• ", ...inline(bullet[1]));
        else frag.append(...inline(line));
      }
      if (i < lines.length - 1) frag.append("\n");
    });
    return frag;
  }

  // Matter numbers, dates, times and phone numbers never break across lines (TJ-2026-0001).
  const UNBREAKABLE = /TJ-\d{4}-\d+|\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?|\d{4}年\d{1,2}月\d{1,2}日|\d{1,2}:\d{2}|1\d{10}/g;
  function unbreakable(text) {
    const out = [];
    let last = 0;
    let m;
    UNBREAKABLE.lastIndex = 0;
    while ((m = UNBREAKABLE.exec(text)) !== null) {
      if (m.index > last) out.push(text.slice(last, m.index));
      out.push(el("span", { class: "nowrap", text: m[0] }));
      last = UNBREAKABLE.lastIndex;
    }
    if (last < text.length) out.push(text.slice(last));
    return out;
  }

  function inline(text) {
    return inlineMarks(text).flatMap((part) => (typeof part === "string" ? unbreakable(part) : [part]));
  }

  function inlineMarks(text) {
    const out = [];
    const pattern = /\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)/g;
    let last = 0;
    let m;
    while ((m = pattern.exec(text)) !== null) {
      if (m.index > last) out.push(text.slice(last, m.index));
      if (m[1] !== undefined) out.push(el("strong", { text: m[1] }));
      else if (/^(https?:\/\/|\/)/.test(m[3])) out.push(el("a", { href: m[3], target: "_blank", rel: "noopener", text: m[2] }));
      else out.push(m[0]);
      last = pattern.lastIndex;
    }
    if (last < text.length) out.push(text.slice(last));
    return out;
  }

  function shortTime(iso) { return iso ? iso.slice(5, 16).replace("T", " ") : ""; }

  function renderCard(card, clickable) {
    const node = el("div", { class: "card" + (card.closed ? " closed" : ""), dataset: { ref: card.ref } });
    node.append(el("div", { class: "title" }, ...unbreakable(String(card.title || ""))));
    node.append(el("div", { class: "status", text: (card.closed ? "已结束 · " : "") + (card.status || "") }));
    if (card.fields && card.fields.length) {
      const dl = el("dl");
      for (const [k, v] of card.fields) dl.append(el("dt", { text: k }), el("dd", {}, ...unbreakable(String(v))));
      node.append(dl);
    }
    if (card.body) node.append(el("div", { class: "body" }, markdown(card.body)));
    const inactive = card.closed || !clickable;
    let selectionName = null;
    if (card.selection && card.selection.options && card.selection.options.length) {
      selectionName = `sel-${card.ref}-${card.selection.key}`;
      const fs = el("fieldset", { disabled: inactive }, el("legend", { text: card.selection.title || "请选择" }));
      for (const option of card.selection.options) {
        fs.append(el("label", {},
          el("input", { type: "radio", name: selectionName, value: option.id, dataset: { option: option.id } }),
          " ", option.text));
      }
      node.append(fs);
    }
    if (card.buttons && card.buttons.length) {
      const row = el("div", { class: "buttons" });
      for (const button of card.buttons) {
        row.append(el("button", {
          type: "button",
          class: button.style === "primary" ? "primary" : button.style === "danger" ? "danger" : "",
          disabled: inactive,
          dataset: { key: button.key, option: Object.values(button.selected || {}).join(",") },
          onclick: () => clickCard(card, button, selectionName, node),
        }, button.text));
      }
      node.append(row);
    }
    if (card.links && card.links.length) {
      const row = el("div", { class: "links" });
      for (const link of card.links) {
        row.append(el("a", {
          class: "card-link", href: linkAsMe(link.url), target: "_blank", rel: "noopener",
          dataset: { link: link.url },
        }, link.label || "详情"));
      }
      node.append(row);
    }
    return node;
  }

  // A card's link goes through /m/signin?next=…; here it opens as the conversation's person.
  function linkAsMe(url) {
    let next = "/m/todo";
    try {
      const parsed = new URL(url, window.location.href);
      next = parsed.pathname === "/m/signin" ? (parsed.searchParams.get("next") || next) : parsed.pathname;
    } catch (e) { /* keep the default */ }
    return state.me ? `/sim/open-as/${encodeURIComponent(state.me.handle)}?next=${encodeURIComponent(next)}` : url;
  }

  function renderItem(item, options) {
    const wrap = el("div", { class: `item ${item.direction}`, dataset: { id: item.id, kind: item.kind } });
    wrap.append(el("div", { class: "at", text: shortTime(item.at) }));
    if (item.kind === "card" && item.card) {
      wrap.append(renderCard(item.card, options.clickable));
    } else {
      const bubble = el("div", { class: "bubble" }, markdown(item.text));
      if (item.attachment) {
        bubble.append("\n", el("a", { class: "file", href: item.attachment.url, download: item.attachment.name, text: `附件：${item.attachment.name}` }));
      }
      wrap.append(bubble);
    }
    return wrap;
  }

  // Merge fetched items into a conversation box: new ones appended in id order, changed ones
  // (a card's new status) replaced in place. Keeps the reader at the bottom if they were there.
  function merge(stream, box, items, options) {
    if (!items.length) return;
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
    const empty = box.querySelector(".empty");
    if (empty) empty.remove();
    for (const item of items.sort((a, b) => a.id - b.id)) {
      stream.seq = Math.max(stream.seq, item.seq || 0);
      const known = stream.items.get(item.id);
      if (known && known.seq === item.seq) continue;
      const node = renderItem(item, options);
      if (known) {
        // Keep a choice the user already made on a card that is still open.
        const picked = known.node.querySelector("input[type=radio]:checked");
        known.node.replaceWith(node);
        if (picked) {
          const again = node.querySelector(`input[type=radio][value="${CSS.escape(picked.value)}"]`);
          if (again && !again.disabled) again.checked = true;
        }
      } else {
        const later = [...stream.items.keys()].filter((id) => id > item.id).sort((a, b) => a - b)[0];
        if (later !== undefined) stream.items.get(later).node.before(node);
        else box.append(node);
      }
      stream.items.set(item.id, { seq: item.seq, node, item });
    }
    if (atBottom) box.scrollTop = box.scrollHeight;
  }

  // Re-read a little behind the cursor: two writers may commit their change numbers out of order.
  const since = (stream) => Math.max(0, stream.seq - 20);

  async function pollChat() {
    if (!state.me) return;
    const stream = state.chat;
    const handle = state.me.handle;
    try {
      const items = await api("GET", `/sim/api/inbox/${encodeURIComponent(handle)}?changed_after=${since(stream)}`);
      if (stream === state.chat) merge(stream, $("conversation"), items, { clickable: true });
    } catch (e) { /* shown on the next action; polling keeps trying */ }
  }

  async function pollGroup() {
    if (!state.group) return;
    const stream = state.groupStream;
    try {
      const items = await api("GET", `/sim/api/groups/${state.group.id}?changed_after=${since(stream)}`);
      if (stream === state.groupStream) merge(stream, $("group-view"), items, { clickable: false });
    } catch (e) { /* keep polling */ }
  }

  // ---- Actions ---------------------------------------------------------------------------
  async function send(text) {
    if (!state.me) { toast("请先在“人员”里选择一个人", true); showTab("people"); return false; }
    if (!text.trim()) { toast("消息是空的", true); return false; }
    try {
      await api("POST", "/sim/api/messages", { from: state.me.handle, text });
      await pollChat();
      return true;
    } catch (e) { toast(e.message, true); return false; }
  }

  async function sendPhoto() {
    if (!state.me) { toast("请先在“人员”里选择一个人", true); showTab("people"); return; }
    try {
      await api("POST", "/sim/api/photos", { from: state.me.handle });
      await pollChat();
    } catch (e) { toast(e.message, true); }
  }

  async function clickCard(card, button, selectionName, node) {
    if (!state.me) return;
    const selected = { ...(button.selected || {}) };
    if (selectionName) {
      const picked = node.querySelector(`input[name="${CSS.escape(selectionName)}"]:checked`);
      if (picked) selected[card.selection.key] = picked.value;
    }
    // One tap, one action: the card's buttons stay off until the answer is back.
    const buttons = [...node.querySelectorAll(".buttons button")];
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const result = await api("POST", `/sim/api/cards/${encodeURIComponent(card.ref)}/click`, { by: state.me.handle, key: button.key, selected });
      if (result.message) toast(result.message, !result.ok);
    } catch (e) { toast(e.message, true); }
    if (node.isConnected) buttons.forEach((b) => { b.disabled = Boolean(card.closed); });
    await pollChat();
  }

  async function tick() {
    try {
      const result = await api("POST", "/sim/api/tick", {});
      // Only the jobs that actually sent something are named (with how many messages).
      const sent = Object.entries(result.sent || {}).map(([n, count]) => `${PASS_NAMES[n] || n} ${count} 条`);
      toast(sent.length ? `已发送：${sent.join("、")}` : "没有需要发送的消息");
    } catch (e) { toast(e.message, true); }
  }

  function fillTemplate() {
    const outs = [...state.chat.items.values()].map((v) => v.item)
      .filter((i) => i.direction === "out" && i.kind === "text" && i.text.includes("服务对象"));
    if (!outs.length) { toast("先点“说不”，机器人会发来审批表模板"); return; }
    const text = outs[outs.length - 1].text;
    const start = text.search(/说不\s*\n/);
    $("text").value = start >= 0 ? text.slice(start).trim() : text.trim();
    $("text").focus();
  }

  // ---- Groups ----------------------------------------------------------------------------
  function renderGroups() {
    const box = $("groups");
    box.replaceChildren();
    if (!state.groups.length) { box.append(el("p", { class: "hint", text: "还没有群。" })); return; }
    for (const group of state.groups) {
      box.append(el("button", {
        type: "button",
        class: state.group && state.group.id === group.id ? "current" : "",
        dataset: { group: group.id },
        onclick: () => chooseGroup(group.id),
      }, group.name));
    }
  }

  function chooseGroup(id) {
    state.group = state.groups.find((g) => g.id === id) || null;
    state.groupStream = newStream();
    $("group-view").replaceChildren(el("p", { class: "hint empty", text: "这个群还没有消息。" }));
    renderGroups();
    pollGroup();
  }

  // ---- Start -----------------------------------------------------------------------------
  async function start() {
    document.querySelectorAll(".tabs button").forEach((b) => b.addEventListener("click", () => showTab(b.dataset.tab)));
    document.querySelectorAll("[data-goto]").forEach((b) => b.addEventListener("click", () => showTab(b.dataset.goto)));
    document.querySelectorAll("[data-advance]").forEach((b) => b.addEventListener("click", () => moveClock({ advance: b.dataset.advance }, `前进 ${b.textContent}`)));
    $("next-quarter").addEventListener("click", () => moveClock({ now: nextQuarterStart() }, "调到下季度初"));
    $("set-time").addEventListener("click", () => {
      const value = window.prompt("设定模拟时间（ISO-8601，带时区）", state.clockBase || "2026-12-01T09:00:00+08:00");
      if (value) moveClock({ now: value.trim() }, "设定");
    });
    $("tick").addEventListener("click", tick);
    $("reset-clock").addEventListener("click", async () => {
      try {
        applyClock(await api("POST", "/sim/api/clock/reset", {}));
        toast("时间已回到现在");
      } catch (e) { toast(e.message, true); }
    });
    document.querySelectorAll(".clock-buttons button").forEach((b) => b.addEventListener("click", () => { $("clock-menu").open = false; }));
    $("people-search").addEventListener("input", renderPeople);
    // A changed #p=… (typed, or a link) switches person without a reload.
    window.addEventListener("hashchange", () => {
      const asked = /#p=([^&]+)/.exec(location.hash);
      if (asked) choosePerson(decodeURIComponent(asked[1]));
    });
    document.querySelectorAll("[data-say]").forEach((b) => b.addEventListener("click", () => send(b.dataset.say)));
    $("fill-template").addEventListener("click", fillTemplate);
    $("send-photo").addEventListener("click", sendPhoto);
    $("composer").addEventListener("submit", async (event) => {
      event.preventDefault();
      const box = $("text");
      if (await send(box.value)) box.value = "";
    });
    $("text").addEventListener("keydown", (event) => {
      // Enter sends (a phone's send key too); Shift+Enter starts a new line; Ctrl+Enter still sends.
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        $("composer").requestSubmit();
      }
    });

    try {
      [state.people, state.groups] = await Promise.all([api("GET", "/sim/api/people"), api("GET", "/sim/api/groups")]);
    } catch (e) {
      toast(e.message, true);
    }
    renderPeople();
    renderGroups();
    loadClock().catch((e) => toast(e.message, true));
    const wanted = /#p=([^&]+)/.exec(location.hash);
    if (wanted) choosePerson(decodeURIComponent(wanted[1]));
    else showTab("people");
    if (state.groups.length) chooseGroup(state.groups[0].id);

    setInterval(renderClock, 1000);
    setInterval(() => { loadClock().catch(() => {}); }, 15000);
    // One poll at a time: a slow server never piles requests up.
    (async function loop() {
      for (;;) {
        await Promise.all([pollChat(), pollGroup()]);
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    })();
  }

  document.addEventListener("DOMContentLoaded", start);
})();
