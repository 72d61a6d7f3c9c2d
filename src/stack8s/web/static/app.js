/* Stack8s chat page: plain JavaScript, no build step. Vendored: marked (markdown), DOMPurify (sanitising).
   The page is served with a strict Content-Security-Policy: no inline scripts, styles or event handlers,
   so everything is wired here with addEventListener and styled through app.css (or the CSSOM). */
(() => {
  'use strict';

  const API = '/api/v1';
  const TOKEN_KEY = 'stack8s.token';
  const PAGE_SIZE = 50;
  const STAGES = [
    ['requirements', 'Reading your requirements'],
    ['sizing', 'Sizing the workload'],
    ['compute_search', 'Searching instances'],
    ['charts', 'Choosing Helm charts'],
    ['model_search', 'Searching models'],
    ['plan', 'Writing the plan'],
  ];

  const $ = (id) => document.getElementById(id);
  const els = {};
  const state = {
    conversationId: null,
    conversations: [],
    total: 0,
    busy: false,
    streamSupported: true,
    openSeq: 0,
    renderedMessages: 0,
    retry: null,
    timer: null,
  };

  /* ---------- small DOM helpers ---------- */

  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key === 'text') node.textContent = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const ICONS = {
    pencil: 'M12 20h9M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4Z',
    trash: 'M3 6h18M8 6V4h8v2M19 6l-1 14H6L5 6M10 11v6M14 11v6',
  };

  function icon(name) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    const path = document.createElementNS(ns, 'path');
    path.setAttribute('d', ICONS[name]);
    svg.append(path);
    return svg;
  }

  let announcer = null;
  function announce(text) {
    if (!announcer) {
      announcer = h('div', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
      document.body.append(announcer);
    }
    announcer.textContent = '';
    window.setTimeout(() => { announcer.textContent = text; }, 50);
  }

  /* ---------- formatting ---------- */

  const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
  function money(v, digits = 2) {
    if (!isNum(v)) return '—';
    return '$' + v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }
  function hourly(v) {
    if (!isNum(v)) return '—';
    return '$' + v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 });
  }
  function num(v, digits = 1) {
    if (!isNum(v)) return '—';
    return v.toLocaleString('en-US', { maximumFractionDigits: digits });
  }
  function yesNo(v) {
    if (v === true) return h('span', { class: 'badge ok', text: 'yes' });
    if (v === false) return h('span', { class: 'badge bad', text: 'no' });
    return '—';
  }
  function when(iso) {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return '';
    const now = new Date();
    if (date.toDateString() === now.toDateString()) {
      return date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
    }
    return date.toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
  }

  /* ---------- markdown (untrusted text: always sanitised) ---------- */

  const PURIFY = {
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'img'],
    FORBID_ATTR: ['style'],
  };

  function sanitize(html) {
    return window.DOMPurify ? window.DOMPurify.sanitize(html, PURIFY) : null;
  }

  function markdown(text, className = 'markdown') {
    const box = h('div', { class: className });
    const source = String(text || '');
    const html = window.marked ? sanitize(window.marked.parse(source, { gfm: true, async: false })) : null;
    if (html === null) {
      box.textContent = source; // no parser: show the text as text, never as HTML
      box.classList.add('plain-text');
      return box;
    }
    box.innerHTML = html;
    enhance(box);
    return box;
  }

  function inline(text) {
    const span = h('span');
    const source = String(text || '');
    const html = window.marked ? sanitize(window.marked.parseInline(source, { gfm: true, async: false })) : null;
    if (html === null) span.textContent = source;
    else span.innerHTML = html;
    return span;
  }

  /** Tables scroll in their own box; code blocks get a copy button; links open safely. */
  function enhance(root) {
    for (const table of root.querySelectorAll('table')) {
      const wrap = h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Table' });
      table.replaceWith(wrap);
      wrap.append(table);
      for (const cell of table.querySelectorAll('td')) {
        if (/^[\s$€£\d.,%x×+-]+$/.test(cell.textContent) && /\d/.test(cell.textContent)) cell.classList.add('num');
      }
    }
    for (const pre of root.querySelectorAll('pre')) {
      const block = codeBlock(pre.textContent.replace(/\n$/, ''));
      pre.replaceWith(block);
    }
    for (const link of root.querySelectorAll('a[href]')) {
      link.setAttribute('rel', 'noopener noreferrer');
      if (/^https?:/i.test(link.getAttribute('href'))) link.setAttribute('target', '_blank');
    }
  }

  function codeBlock(text, label = 'Copy') {
    const code = h('code', { text });
    const pre = h('pre', { tabindex: '0' }, code);
    const button = h('button', { type: 'button', class: 'copy', 'aria-label': label === 'Copy' ? 'Copy code' : label, text: 'Copy' });
    button.addEventListener('click', () => copy(text, button));
    return h('div', { class: 'code-block' }, pre, button);
  }

  async function copy(text, button) {
    let ok = false;
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(text);
        ok = true;
      }
    } catch (_) { ok = false; }
    if (!ok) {
      const area = h('textarea', { class: 'visually-hidden', readonly: true });
      area.value = text;
      document.body.append(area);
      area.select();
      try { ok = document.execCommand('copy'); } catch (_) { ok = false; }
      area.remove();
      button.focus();
    }
    button.textContent = ok ? 'Copied' : 'Copy failed';
    button.classList.toggle('copied', ok);
    announce(ok ? 'Copied to the clipboard' : 'Could not copy: select the text and copy it by hand');
    window.setTimeout(() => { button.textContent = 'Copy'; button.classList.remove('copied'); }, 2000);
  }

  /* ---------- HTTP ---------- */

  class ApiError extends Error {
    constructor(status, error, detail) {
      super(detail);
      this.status = status;
      this.error = error;
      this.detail = detail;
    }
  }

  function token() {
    try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch (_) { return ''; }
  }
  function setToken(value) {
    try {
      if (value) sessionStorage.setItem(TOKEN_KEY, value);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch (_) { /* storage disabled: the token lives for this page only */ }
    memoryToken = value;
  }
  let memoryToken = '';
  const currentToken = () => token() || memoryToken;

  const STATUS_TEXT = {
    0: 'Could not reach the server. Check the connection and retry.',
    401: 'Sign-in is required.',
    404: 'Not found.',
    413: 'The request is too large.',
    429: 'Too many requests: wait a moment and retry.',
    500: 'The server hit an internal error.',
    502: 'The server behind the proxy did not answer.',
    503: 'The service is unavailable right now: retry in a few seconds.',
    504: 'The server took too long to answer.',
  };

  /** Turn any failed response into an ApiError: the API's {error, detail} JSON when there is one,
   * else a sentence about the status (never a JSON parse error from an HTML or text body). */
  async function errorFrom(response) {
    let text = '';
    try { text = await response.text(); } catch (_) { text = ''; }
    let body = null;
    try { body = JSON.parse(text); } catch (_) { body = null; }
    if (body && typeof body === 'object' && (body.error || body.detail)) {
      const detail = typeof body.detail === 'string' ? body.detail : JSON.stringify(body.detail);
      return new ApiError(response.status, String(body.error || 'Error'), detail || response.statusText);
    }
    const sentence = STATUS_TEXT[response.status] || 'The request failed.';
    return new ApiError(response.status, `HTTP ${response.status}`, sentence);
  }

  async function request(method, path, body, accept = 'application/json') {
    const headers = { Accept: accept };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const bearer = currentToken();
    if (bearer) headers.Authorization = 'Bearer ' + bearer;
    try {
      return await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (_) {
      throw new ApiError(0, 'NetworkError', STATUS_TEXT[0]);
    }
  }

  async function fail(response) {
    const error = await errorFrom(response);
    if (response.status === 401) requireSignIn(error);
    throw error;
  }

  async function api(method, path, body) {
    const response = await request(method, path, body);
    if (!response.ok) return fail(response);
    if (response.status === 204) return null;
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch (_) {
      throw new ApiError(response.status, 'BadResponse', 'The server sent an answer that is not JSON.');
    }
  }

  /* ---------- one turn: the SSE stream when the server has it, else the plain POST ---------- */

  async function sendTurn(conversationId, message) {
    const body = { conversation_id: conversationId, message };
    if (state.streamSupported) {
      const response = await request('POST', `${API}/chat/message/stream`, body, 'text/event-stream');
      const type = (response.headers.get('content-type') || '').toLowerCase();
      if (response.ok && type.startsWith('text/event-stream')) return readStream(response, conversationId);
      if (response.ok) return JSON.parse(await response.text());
      if (response.status === 405) {
        state.streamSupported = false;
      } else if (response.status === 404) {
        const error = await errorFrom(response);
        if (error.detail !== 'Not Found') throw error; // a real 404 (the conversation), not a missing route
        state.streamSupported = false;
      } else {
        await fail(response);
      }
    }
    showProgress('Planning…');
    return api('POST', `${API}/chat/message`, body);
  }

  function parseEvent(block) {
    let event = 'message';
    const data = [];
    for (const line of block.split('\n')) {
      if (!line || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    return data.length ? { event, data: data.join('\n') } : null;
  }

  async function readStream(response, conversationId) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      let chunk;
      try {
        chunk = await reader.read();
      } catch (_) {
        break;
      }
      buffer += decoder.decode(chunk.value || new Uint8Array(), { stream: !chunk.done });
      const pendingCR = !chunk.done && buffer.endsWith('\r');
      buffer = (pendingCR ? buffer.slice(0, -1) : buffer).replace(/\r\n?/g, '\n') + (pendingCR ? '\r' : '');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const event = parseEvent(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        const reply = event && handleEvent(event);
        if (reply) {
          reader.cancel().catch(() => {});
          return reply;
        }
      }
      if (chunk.done) break;
    }
    const tail = parseEvent(buffer.trim());
    const reply = tail && handleEvent(tail);
    if (reply) return reply;
    throw new ApiError(0, 'StreamEnded', 'The connection closed before the reply arrived.');
  }

  function handleEvent({ event, data }) {
    let payload;
    try { payload = JSON.parse(data); } catch (_) { return null; }
    if (event === 'stage') {
      showStage(payload);
      return null;
    }
    if (event === 'reply') return payload;
    if (event === 'error') {
      const status = isNum(payload.status) ? payload.status : 0;
      const error = new ApiError(status, payload.error || 'Error', payload.detail || 'The turn failed.');
      if (status === 401) requireSignIn(error);
      throw error;
    }
    return null;
  }

  /* ---------- progress ---------- */

  function showProgress(label) {
    els.progress.hidden = false;
    els.progressLabel.textContent = label;
    if (state.timer === null) {
      const started = performance.now();
      els.progressTime.textContent = '';
      state.timer = window.setInterval(() => {
        els.progressTime.textContent = `${((performance.now() - started) / 1000).toFixed(1)} s`;
      }, 200);
    }
  }

  function showStage({ stage, label, elapsed_ms: elapsed }) {
    if (!els.stages.children.length) {
      for (const [id, text] of STAGES) els.stages.append(h('li', { class: 'stage', 'data-stage': id, text }));
    }
    let current = els.stages.querySelector(`[data-stage="${CSS.escape(String(stage))}"]`);
    if (!current) {
      current = h('li', { class: 'stage', 'data-stage': String(stage), text: label || String(stage) });
      els.stages.append(current);
    }
    for (const item of els.stages.children) {
      const isCurrent = item === current;
      if (item.classList.contains('active') && !isCurrent) item.classList.add('done'); // stages end as the next begins
      item.classList.toggle('active', isCurrent);
      if (isCurrent) item.setAttribute('aria-current', 'step');
      else item.removeAttribute('aria-current');
    }
    const text = label || current.textContent;
    showProgress(isNum(elapsed) ? `${text}…` : text);
  }

  function hideProgress() {
    els.progress.hidden = true;
    els.stages.replaceChildren();
    if (state.timer !== null) window.clearInterval(state.timer);
    state.timer = null;
  }

  function setBusy(busy) {
    state.busy = busy;
    els.send.disabled = busy;
    els.composer.setAttribute('aria-busy', busy ? 'true' : 'false');
    for (const button of document.querySelectorAll('.clarify-form button[type="submit"]')) button.disabled = busy;
    if (busy) showProgress('Sending…');
    else hideProgress();
  }

  /* ---------- errors ---------- */

  function showError(title, error, retry) {
    const detail = error instanceof ApiError ? error.detail : 'Something went wrong in the page.';
    const status = error instanceof ApiError && error.status ? ` (HTTP ${error.status})` : '';
    els.errorText.replaceChildren(h('strong', { text: title }), `${detail}${status}`);
    state.retry = retry;
    els.retry.hidden = !retry;
    els.error.hidden = false;
    if (!(error instanceof ApiError)) console.error(error); // eslint-disable-line no-console
  }

  function hideError() {
    els.error.hidden = true;
    state.retry = null;
  }

  /* ---------- sign-in ---------- */

  function requireSignIn(error) {
    const hadToken = Boolean(currentToken());
    setToken('');
    els.signOut.hidden = true;
    els.app.classList.add('signed-out');
    els.signin.hidden = false;
    els.signinError.textContent = hadToken ? `Your token was not accepted: ${error.detail}` : '';
    hideError();
    els.conversations.replaceChildren();
    els.conversationsEmpty.hidden = true;
    els.token.focus();
  }

  async function signIn(event) {
    event.preventDefault();
    const value = els.token.value.trim().replace(/^Bearer\s+/i, '');
    if (!value) return;
    setToken(value);
    els.signinError.textContent = '';
    try {
      await loadConversations();
    } catch (error) {
      if (error.status !== 401) els.signinError.textContent = error.detail;
      return;
    }
    els.token.value = '';
    els.signin.hidden = true;
    els.app.classList.remove('signed-out');
    els.signOut.hidden = false;
    startNew();
    await openFromHash();
  }

  function signOut() {
    setToken('');
    state.conversationId = null;
    state.conversations = [];
    clearLog();
    requireSignIn(new ApiError(401, 'Unauthorized', ''));
  }

  /* ---------- conversations ---------- */

  async function loadConversations(more = false) {
    const offset = more ? state.conversations.length : 0;
    const page = await api('GET', `${API}/chat?limit=${PAGE_SIZE}&offset=${offset}`);
    state.conversations = more ? state.conversations.concat(page.items) : page.items;
    state.total = page.total;
    renderConversations();
  }

  function refreshConversations() {
    const size = Math.max(PAGE_SIZE, state.conversations.length);
    return api('GET', `${API}/chat?limit=${Math.min(size, 100)}&offset=0`).then((page) => {
      state.conversations = page.items;
      state.total = page.total;
      renderConversations();
    }).catch(() => { /* the list catches up on the next turn */ });
  }

  function titleOf(conversation) {
    return (conversation.title || '').trim() || 'Untitled conversation';
  }

  function renderConversations() {
    els.conversations.replaceChildren(...state.conversations.map(renderConversation));
    els.conversationsEmpty.hidden = state.conversations.length > 0;
    els.more.hidden = state.conversations.length >= state.total;
  }

  function renderConversation(conversation) {
    const id = conversation.conversation_id;
    const title = titleOf(conversation);
    const active = id === state.conversationId;
    const count = conversation.message_count;
    const open = h('button', {
      type: 'button', class: 'conversation-open', 'aria-current': active ? 'true' : null,
      onclick: () => openConversation(id, true),
    },
    h('span', { class: 'conversation-title', text: title, title }),
    h('span', { class: 'conversation-meta', text: `${when(conversation.updated_at)} · ${count} message${count === 1 ? '' : 's'}` }));
    const rename = h('button', {
      type: 'button', class: 'icon-button', title: 'Rename', 'aria-label': `Rename “${title}”`,
      onclick: () => startRename(item, conversation),
    }, icon('pencil'));
    const remove = h('button', {
      type: 'button', class: 'icon-button', title: 'Delete', 'aria-label': `Delete “${title}”`,
      onclick: () => confirmDelete(item, conversation),
    }, icon('trash'));
    const item = h('li', { class: active ? 'conversation active' : 'conversation', 'data-id': id },
      open, h('div', { class: 'conversation-actions' }, rename, remove));
    return item;
  }

  function focusConversation(id) {
    const button = els.conversations.querySelector(`[data-id="${CSS.escape(id)}"] .conversation-open`);
    (button || els.newChat).focus();
  }

  function startRename(item, conversation) {
    const input = h('input', { type: 'text', maxlength: '200', 'aria-label': 'New title', required: true });
    input.value = conversation.title || '';
    const problem = h('p', { class: 'form-error', role: 'alert' });
    const cancel = () => { renderConversations(); focusConversation(conversation.conversation_id); };
    const form = h('form', { class: 'conversation-form' }, input, problem,
      h('div', { class: 'row' },
        h('button', { type: 'submit', class: 'primary', text: 'Save' }),
        h('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: cancel })));
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') { event.preventDefault(); event.stopPropagation(); cancel(); }
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const title = input.value.trim();
      if (!title) { problem.textContent = 'The title cannot be empty.'; return; }
      try {
        const saved = await api('PATCH', `${API}/chat/${conversation.conversation_id}`, { title });
        Object.assign(conversation, saved);
        announce(`Renamed to ${title}`);
        cancel();
      } catch (error) {
        problem.textContent = error instanceof ApiError ? error.detail : 'Could not rename.';
      }
    });
    item.replaceChildren(form);
    input.focus();
    input.select();
  }

  function confirmDelete(item, conversation) {
    const id = conversation.conversation_id;
    const problem = h('p', { class: 'form-error', role: 'alert' });
    const cancel = () => { renderConversations(); focusConversation(id); };
    const yes = h('button', { type: 'submit', class: 'danger', text: 'Delete' });
    const form = h('form', { class: 'conversation-form', 'aria-label': 'Confirm delete' },
      h('p', {}, 'Delete “', h('strong', { text: titleOf(conversation) }), '”?'), problem,
      h('div', { class: 'row' }, yes, h('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: cancel })));
    form.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') { event.preventDefault(); event.stopPropagation(); cancel(); }
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      yes.disabled = true;
      try {
        await api('DELETE', `${API}/chat/${id}`);
      } catch (error) {
        yes.disabled = false;
        if (error.status !== 404) {
          problem.textContent = error instanceof ApiError ? error.detail : 'Could not delete.';
          return;
        }
      }
      const index = state.conversations.findIndex((c) => c.conversation_id === id);
      state.conversations = state.conversations.filter((c) => c.conversation_id !== id);
      state.total = Math.max(0, state.total - 1);
      if (state.conversationId === id) startNew();
      renderConversations();
      announce('Conversation deleted');
      const next = state.conversations[Math.min(index, state.conversations.length - 1)];
      if (next) focusConversation(next.conversation_id);
      else els.newChat.focus();
    });
    item.replaceChildren(form);
    yes.focus();
  }

  function markActive() {
    for (const item of els.conversations.children) {
      const active = item.dataset.id === state.conversationId;
      item.classList.toggle('active', active);
      const open = item.querySelector('.conversation-open');
      if (open) {
        if (active) open.setAttribute('aria-current', 'true');
        else open.removeAttribute('aria-current');
      }
    }
  }

  function setHash(id) {
    const wanted = id ? `#/c/${id}` : '';
    if (location.hash !== wanted) history.replaceState(null, '', wanted || location.pathname + location.search);
  }

  function clearLog() {
    els.log.replaceChildren(els.welcome);
    els.welcome.hidden = false;
    state.renderedMessages = 0;
  }

  function startNew() {
    state.openSeq += 1;
    state.conversationId = null;
    setHash(null);
    clearLog();
    markActive();
    hideError();
  }

  async function openConversation(id, fromUser = false) {
    const seq = ++state.openSeq;
    closeSidebar(false);
    hideError();
    state.conversationId = id;
    setHash(id);
    markActive();
    els.welcome.hidden = true;
    els.log.replaceChildren(els.welcome, h('p', { class: 'msg-loading', text: 'Loading the conversation…' }));
    let detail;
    try {
      detail = await api('GET', `${API}/chat/${id}`);
    } catch (error) {
      if (seq !== state.openSeq) return;
      if (error.status === 404) {
        startNew();
        showError('That conversation no longer exists.', error, null);
        refreshConversations();
      } else if (error.status !== 401) {
        els.log.replaceChildren(els.welcome);
        showError('Could not open the conversation.', error, () => openConversation(id, fromUser));
      }
      return;
    }
    if (seq !== state.openSeq) return;
    renderHistory(detail.messages || []);
    if (fromUser) els.message.focus();
  }

  function renderHistory(messages) {
    clearLog();
    els.welcome.hidden = messages.length > 0;
    const lastAssistant = findLast(messages, (m) => m.role === 'assistant'); // only the latest can be answered
    let lastReply = null;
    for (const message of messages) {
      if (message.role === 'user') {
        els.log.append(userMessage(message.content));
      } else if (message.role === 'assistant') {
        const reply = message.payload && message.payload.response_type ? message.payload
          : { response: message.content, response_type: message.response_type || 'deployment_plan' };
        lastReply = replyMessage(reply, message === lastAssistant);
        els.log.append(lastReply);
      }
    }
    state.renderedMessages = messages.length;
    if (lastReply) lastReply.scrollIntoView({ block: 'start' });
  }

  function findLast(list, test) {
    for (let i = list.length - 1; i >= 0; i -= 1) if (test(list[i])) return list[i];
    return null;
  }

  async function openFromHash() {
    const match = /^#\/c\/([0-9a-f-]{36})$/i.exec(location.hash);
    if (match && match[1] !== state.conversationId) await openConversation(match[1]);
  }

  /* ---------- messages ---------- */

  function userMessage(text) {
    return h('div', { class: 'msg user' },
      h('p', { class: 'visually-hidden', text: 'You said:' }),
      h('div', { class: 'bubble', text }));
  }

  function replyMessage(reply, interactive) {
    const type = reply.response_type;
    const article = h('article', { class: 'msg assistant', 'aria-label': 'Reply from Stack8s', tabindex: '-1' });
    if (type === 'deployment_plan' && reply.deployment_plan) {
      article.append(planView(reply.deployment_plan, reply.response));
    } else if (type === 'clarification') {
      article.append(clarificationView(reply, interactive));
    } else {
      if (type === 'error') article.classList.add('error-reply');
      article.append(markdown(reply.response));
    }
    return article;
  }

  function clarificationView(reply, interactive) {
    const questions = (reply.clarifying_questions || []).filter(Boolean);
    const box = h('div', { class: 'clarification' });
    if (!questions.length) {
      box.append(markdown(reply.response));
      return box;
    }
    box.append(h('p', { class: 'clarify-intro', text: 'To plan this I need a little more information:' }));
    const suffix = Math.random().toString(36).slice(2, 8);
    const fields = questions.map((question, i) => {
      const id = `answer-${suffix}-${i}`;
      const area = h('textarea', { id, rows: '2', 'data-question': question });
      area.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          form.requestSubmit();
        }
      });
      return h('div', { class: 'question' }, h('label', { for: id }, inline(question)), area);
    });
    const submit = h('button', { type: 'submit', class: 'primary', text: questions.length > 1 ? 'Send answers' : 'Send answer' });
    const fieldset = h('fieldset', { class: 'questions' }, h('legend', { class: 'visually-hidden', text: 'Questions' }), fields);
    const form = h('form', { class: 'clarify-form' }, fieldset,
      h('div', { class: 'clarify-actions' }, submit));
    const known = /^So far I have:.*$/m.exec(reply.response || '');
    if (known) form.append(h('p', { class: 'known' }, inline(known[0])));
    if (!interactive) fieldset.disabled = true;
    submit.hidden = !interactive;
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const answers = [...form.querySelectorAll('textarea')].map((a) => a.value.trim()).filter(Boolean);
      if (!answers.length) {
        form.querySelector('textarea').focus();
        return;
      }
      const sent = await send(answers.join('\n'));
      if (sent) {
        fieldset.disabled = true;
        submit.hidden = true;
      }
    });
    box.append(form);
    return box;
  }

  /* ---------- a plan, laid out for reading ---------- */

  function section(title, ...content) {
    return h('section', { class: 'plan-section' }, h('h4', { text: title }), content);
  }

  function figure(label, value, extra) {
    return h('li', { class: 'figure' }, h('span', { class: 'label', text: label }), h('span', { class: 'value' }, value), extra || null);
  }

  function planView(plan, responseMarkdown) {
    const cost = plan.cost_estimate || {};
    const recs = plan.gpu_recommendations || [];
    const top = recs[0];
    const figures = h('ul', { class: 'figures', 'aria-label': 'Key figures' });
    figures.append(figure('Total per month', money(cost.total_monthly_usd)));
    if (cost.within_budget === true) figures.append(figure('Budget', h('span', { class: 'badge ok', text: 'within budget' })));
    if (cost.within_budget === false) figures.append(figure('Budget', h('span', { class: 'badge bad', text: 'over budget' })));
    if (top) {
      const gpus = top.gpu_count ? `${top.gpu_count}× ${top.gpu_model || 'GPU'}` : 'CPU only';
      figures.append(figure('Recommended', `${top.instance_count > 1 ? `${top.instance_count} × ` : ''}${top.instance_type}`,
        h('span', { class: 'label', text: `${gpus} · ${top.provider} ${top.region}` })));
      if (top.fits === false) figures.append(figure('Fits', h('span', { class: 'badge bad', text: 'does not fit' })));
    }
    if (plan.sizing && isNum(plan.sizing.required_vram_gb) && plan.sizing.required_vram_gb > 0) {
      figures.append(figure('GPU memory needed', `${num(plan.sizing.required_vram_gb)} GB`));
    }
    if (plan.load && isNum(plan.load.requests_per_second)) {
      figures.append(figure('Load', `${num(plan.load.requests_per_second, 3)} req/s`));
    }
    if (plan.job && isNum(plan.job.job_cost_usd)) {
      figures.append(figure('One run', money(plan.job.job_cost_usd),
        h('span', { class: 'label', text: `${num(plan.job.wall_clock_hours)} h on ${plan.job.instances} × ${plan.job.instance_type}` })));
    }

    const view = h('div', { class: 'plan' },
      h('h3', { text: 'Deployment plan' }),
      plan.understanding ? h('p', { class: 'understanding' }, inline(plan.understanding)) : null,
      figures);
    if (recs.length) {
      const perf = recs.some((r) => r.performance);
      view.append(section('Instances', instancesTable(recs),
        perf ? h('p', { class: 'rationale', text: 'Tokens/s and requests are per replica; $/Mtok is the cost per million output tokens at the planned batch.' }) : null,
        top && top.rationale ? h('p', { class: 'rationale' }, inline(top.rationale)) : null));
    }
    if ((cost.breakdown || []).length) view.append(section('Cost per month', costChart(cost)));
    if ((plan.deployment_steps || []).length) view.append(section('Steps', stepsList(plan.deployment_steps)));
    if ((plan.model_recommendations || []).length) view.append(section('Models', modelsTable(plan.model_recommendations)));
    if ((plan.kubernetes_stack || []).length) {
      view.append(section('Kubernetes stack', h('ul', { class: 'plain' }, plan.kubernetes_stack.map((chart) =>
        h('li', {}, h('strong', { text: chart.chart }), ` (${chart.repository}${chart.version ? ` ${chart.version}` : ''}): `, inline(chart.purpose))))));
    }
    if ((plan.tradeoffs || []).length) {
      view.append(section('Tradeoffs', h('ul', { class: 'plain' }, plan.tradeoffs.map((t) => h('li', {}, inline(t))))));
    }
    if ((plan.assumptions || []).length) {
      view.append(h('details', {}, h('summary', { text: `Assumptions (${plan.assumptions.length})` }),
        h('ul', { class: 'plain' }, plan.assumptions.map((a) => h('li', {}, inline(a))))));
    }
    for (const artifact of plan.artifacts || []) {
      view.append(h('details', {}, h('summary', { text: `File: ${artifact.filename}` }),
        codeBlock(artifact.content || '', `Copy ${artifact.filename}`)));
    }
    view.append(h('details', { class: 'full-answer' }, h('summary', { text: 'Full answer as text' }), markdown(responseMarkdown)));
    return view;
  }

  function table(caption, columns, rows) {
    const head = h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : null, text: c.label })));
    const body = rows.map((row, index) => h('tr', { class: index === 0 ? 'top-pick' : null },
      columns.map((c, i) => {
        const value = c.value(row);
        const cell = h(i === 0 ? 'th' : 'td', { scope: i === 0 ? 'row' : null, class: c.num ? 'num' : null });
        cell.append(value instanceof Node ? value : String(value));
        return cell;
      })));
    const element = h('table', { class: 'data' }, h('caption', { text: caption }), h('thead', {}, head), h('tbody', {}, body));
    return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption }, element);
  }

  function instancesTable(recs) {
    const perf = recs.some((r) => r.performance);
    const jobs = recs.some((r) => r.job);
    const columns = [
      { label: '#', value: (r) => r.rank },
      { label: 'Instance', value: (r) => h('span', {}, r.instance_type, h('span', { class: 'sub', text: `${r.provider} · ${r.region}` })) },
      {
        label: 'GPUs',
        value: (r) => (r.gpu_count ? h('span', {}, `${r.gpu_count}× ${r.gpu_model || 'GPU'}`, h('span', { class: 'sub', text: `${num(r.total_vram_gb)} GB` }))
          : h('span', {}, 'CPU', h('span', { class: 'sub', text: `${num(r.vcpu, 0)} vCPU · ${num(r.ram_gb, 0)} GB` }))),
      },
      { label: 'Replicas', num: true, value: (r) => num(r.replicas, 0) },
      { label: 'Instances', num: true, value: (r) => num(r.instance_count, 0) },
      { label: '$/hour each', num: true, value: (r) => hourly(r.price_hourly_usd) },
      { label: '$/month total', num: true, value: (r) => money(r.total_monthly_usd || r.price_monthly_usd * (r.instance_count || 1)) },
    ];
    if (perf) {
      const p = (r, key, digits) => (r.performance ? num(r.performance[key], digits) : '—');
      columns.push(
        { label: 'TTFT ms', num: true, value: (r) => p(r, 'ttft_ms', 0) },
        { label: 'ITL ms', num: true, value: (r) => p(r, 'itl_ms', 1) },
        { label: 'Tokens/s', num: true, value: (r) => p(r, 'output_tokens_per_s', 0) },
        { label: '$/Mtok', num: true, value: (r) => (r.performance ? money(r.performance.cost_per_million_output_tokens_usd) : '—') },
        { label: 'Meets target', value: (r) => (r.performance ? yesNo(r.performance.meets_slo) : '—') },
      );
    }
    if (jobs) {
      columns.push(
        { label: 'Job hours', num: true, value: (r) => (r.job ? num(r.job.wall_clock_hours) : '—') },
        { label: 'Job cost', num: true, value: (r) => (r.job ? money(r.job.job_cost_usd) : '—') },
      );
    }
    columns.push({ label: 'Fits', value: (r) => yesNo(r.fits) });
    return table('Instances, cheapest first', columns, recs);
  }

  function modelsTable(models) {
    return table('Models, ranked by relevance and popularity', [
      { label: '#', value: (m) => m.rank },
      { label: 'Model', value: (m) => m.model_id },
      { label: 'Task', value: (m) => m.pipeline_tag || '—' },
      { label: 'Licence', value: (m) => m.license || '—' },
      { label: 'Params', num: true, value: (m) => (isNum(m.params_billion) ? `${num(m.params_billion, 2)}B` : '—') },
      { label: 'Score', num: true, value: (m) => num(m.score, 2) },
    ], models);
  }

  function costChart(cost) {
    const lines = cost.breakdown.filter((line) => isNum(line.monthly_usd));
    const total = isNum(cost.total_monthly_usd) ? cost.total_monthly_usd : lines.reduce((s, l) => s + l.monthly_usd, 0);
    const max = Math.max(...lines.map((l) => l.monthly_usd), 0);
    const chart = h('ul', { class: 'cost-chart', 'aria-label': 'Monthly cost by item' }, lines.map((line) => {
      const fill = h('span', { class: 'cost-fill' });
      fill.style.width = `${max > 0 ? (100 * line.monthly_usd) / max : 0}%`; // CSSOM: allowed under the page's CSP
      const share = total > 0 ? Math.round((100 * line.monthly_usd) / total) : 0;
      return h('li', { class: 'cost-row' },
        h('span', { class: 'cost-label', text: line.item }),
        h('span', { class: 'cost-bar', 'aria-hidden': 'true' }, fill),
        h('span', { class: 'cost-value' }, money(line.monthly_usd), ' ', h('span', { class: 'share', text: `${share}%` })));
    }));
    const box = h('div', {}, chart, h('p', { class: 'cost-total', text: `Total: ${money(total)} per month` }));
    if (cost.within_budget === false) box.append(h('p', {}, h('span', { class: 'badge bad', text: 'over budget' })));
    const explained = lines.filter((l) => l.assumption);
    if (explained.length) {
      box.append(h('details', {}, h('summary', { text: 'What each line assumes' }),
        h('ul', { class: 'plain' }, explained.map((l) => h('li', {}, h('strong', { text: `${l.item}: ` }), inline(l.assumption))))));
    }
    return box;
  }

  function stepsList(steps) {
    return h('ol', { class: 'steps' }, steps.map((step) => h('li', { class: 'step' },
      h('p', { class: 'step-title' }, inline(step.title)),
      step.details ? h('p', { class: 'step-details' }, inline(step.details)) : null,
      (step.commands || []).length ? codeBlock(step.commands.join('\n'), `Copy the commands of step ${step.order}`) : null)));
  }

  /* ---------- sending ---------- */

  function summary(reply) {
    const plan = reply.deployment_plan;
    if (reply.response_type === 'deployment_plan' && plan && plan.cost_estimate) {
      return `Plan received: ${money(plan.cost_estimate.total_monthly_usd)} per month.`;
    }
    if (reply.response_type === 'clarification') {
      const count = (reply.clarifying_questions || []).length;
      return `${count} question${count === 1 ? '' : 's'} to answer.`;
    }
    return 'Reply received.';
  }

  /** Send one message; true when the reply arrived. On failure the text goes back into the box. */
  async function send(raw) {
    const text = String(raw || '').trim();
    if (!text || state.busy) return false;
    hideError();
    setBusy(true);
    els.welcome.hidden = true;
    const pending = userMessage(text);
    els.log.append(pending);
    pending.scrollIntoView({ block: 'end' });
    if (els.message.value.trim() === text) els.message.value = '';
    autosize();
    let conversationId = state.conversationId;
    let created = false;
    const seq = state.openSeq;
    try {
      if (!conversationId) {
        const started = await api('POST', `${API}/chat/start`, {});
        conversationId = started.conversation_id;
        created = true;
        if (seq === state.openSeq) {
          state.conversationId = conversationId;
          setHash(conversationId);
        }
      }
      const reply = await sendTurn(conversationId, text);
      if (seq === state.openSeq && state.conversationId === conversationId) {
        for (const old of els.log.querySelectorAll('.clarify-form fieldset')) old.disabled = true;
        for (const old of els.log.querySelectorAll('.clarify-form button[type="submit"]')) old.hidden = true;
        const message = replyMessage(reply, true);
        els.log.append(message);
        state.renderedMessages += 2;
        message.scrollIntoView({ block: 'start', behavior: reducedMotion() ? 'auto' : 'smooth' });
        const firstAnswer = message.querySelector('.question textarea');
        if (firstAnswer) firstAnswer.focus({ preventScroll: true }); // a question: the answer box is next
        announce(summary(reply));
      }
      refreshConversations().then(markActive);
      return true;
    } catch (error) {
      pending.remove();
      if (seq === state.openSeq && conversationId && error.error === 'StreamEnded') {
        if (await recoverStored(conversationId)) return true;
      }
      if (created && error.status >= 400 && error.status < 500 && error.status !== 401) {
        await forget(conversationId, seq); // refused before anything was stored: leave no empty conversation
        conversationId = null;
      }
      if (!els.log.querySelector('.msg')) els.welcome.hidden = false;
      const current = els.message.value.trim();
      els.message.value = current && current !== text ? `${text}\n${current}` : text;
      autosize();
      if (error.status !== 401) {
        showError('Your message was not sent.', error, () => send(els.message.value));
        if (conversationId) refreshConversations().then(markActive);
      }
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function forget(conversationId, seq) {
    try {
      await api('DELETE', `${API}/chat/${conversationId}`);
    } catch (_) { /* it stays in the list; harmless */ }
    if (seq === state.openSeq && state.conversationId === conversationId) {
      state.conversationId = null;
      setHash(null);
    }
  }

  /** The stream broke: if the server stored the turn anyway, show it instead of an error. */
  async function recoverStored(conversationId) {
    try {
      const detail = await api('GET', `${API}/chat/${conversationId}`);
      const messages = detail.messages || [];
      if (messages.length > state.renderedMessages && messages[messages.length - 1].role === 'assistant') {
        renderHistory(messages);
        refreshConversations().then(markActive);
        return true;
      }
    } catch (_) { /* fall through to the error */ }
    return false;
  }

  function reducedMotion() {
    return window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  }

  function autosize() {
    const box = els.message;
    box.style.height = 'auto';
    box.style.height = `${Math.min(box.scrollHeight + 2, 192)}px`;
  }

  /* ---------- the sidebar drawer on narrow screens ---------- */

  const narrow = () => window.matchMedia('(max-width: 799px)').matches;

  function openSidebar() {
    els.app.classList.add('sidebar-open');
    els.toggle.setAttribute('aria-expanded', 'true');
    els.scrim.hidden = false;
    els.newChat.focus();
  }

  function closeSidebar(restoreFocus) {
    if (!els.app.classList.contains('sidebar-open')) return;
    els.app.classList.remove('sidebar-open');
    els.toggle.setAttribute('aria-expanded', 'false');
    els.scrim.hidden = true;
    if (restoreFocus) els.toggle.focus();
  }

  /* ---------- start ---------- */

  function bind() {
    for (const [key, id] of Object.entries({
      app: 'app', log: 'log', welcome: 'welcome', progress: 'progress', progressLabel: 'progress-label',
      progressTime: 'progress-time', stages: 'stages', error: 'error', errorText: 'error-text', retry: 'retry',
      dismiss: 'dismiss', composer: 'composer', message: 'message', send: 'send', conversations: 'conversations',
      conversationsEmpty: 'conversations-empty', more: 'more-conversations', newChat: 'new-chat',
      toggle: 'sidebar-toggle', scrim: 'scrim', sidebar: 'sidebar', signin: 'signin', signinForm: 'signin-form',
      signinError: 'signin-error', token: 'token', signOut: 'sign-out',
    })) els[key] = $(id);

    els.composer.addEventListener('submit', (event) => {
      event.preventDefault();
      send(els.message.value);
    });
    els.message.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        if (!state.busy) send(els.message.value);
      }
    });
    els.message.addEventListener('input', autosize);
    els.retry.addEventListener('click', () => { const retry = state.retry; hideError(); if (retry) retry(); });
    els.dismiss.addEventListener('click', () => { hideError(); els.message.focus(); });
    els.newChat.addEventListener('click', () => { startNew(); closeSidebar(false); els.message.focus(); });
    els.more.addEventListener('click', () => loadConversations(true).catch((error) => showError('Could not load more conversations.', error, null)));
    els.toggle.addEventListener('click', () => (els.app.classList.contains('sidebar-open') ? closeSidebar(true) : openSidebar()));
    els.scrim.addEventListener('click', () => closeSidebar(true));
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && els.app.classList.contains('sidebar-open')) closeSidebar(true);
    });
    window.matchMedia('(max-width: 799px)').addEventListener('change', () => { if (!narrow()) closeSidebar(false); });
    for (const example of document.querySelectorAll('.example')) {
      example.addEventListener('click', () => { els.message.value = example.textContent; autosize(); els.message.focus(); });
    }
    els.signinForm.addEventListener('submit', signIn);
    els.token.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey) { event.preventDefault(); els.signinForm.requestSubmit(); }
    });
    els.signOut.addEventListener('click', signOut);
    window.addEventListener('hashchange', () => openFromHash());
  }

  async function boot() {
    bind();
    els.signOut.hidden = !currentToken();
    try {
      await loadConversations();
    } catch (error) {
      if (error.status !== 401) showError('Could not load your conversations.', error, () => { hideError(); start(); });
      return;
    }
    await openFromHash();
    if (!state.conversationId) els.message.focus();
  }

  async function start() {
    try {
      await loadConversations();
      await openFromHash();
    } catch (error) {
      if (error.status !== 401) showError('Could not load your conversations.', error, start);
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
  else boot();
})();
