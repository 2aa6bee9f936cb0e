// api: JSON over HTTP with the session cookie. A 401 tries one refresh of
// the session (POST /api/auth/refresh) and the request again; if that fails
// too, onAuthLost is called (the app shows the login screen).

export class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

let refreshing = null;
let onAuthLost = () => {};

export function setAuthLost(fn) {
  onAuthLost = fn;
}

/** refresh renews the session once (shared by concurrent callers). */
export function refresh() {
  if (!refreshing) {
    refreshing = (navigator.locks ? navigator.locks.request('imperio-refresh', renewOnce) : renew())
      .catch(() => false)
      .finally(() => setTimeout(() => { refreshing = null; }, 1000));
  }
  return refreshing;
}

// A refresh token is good once: the tabs of one browser share it (and the
// cookies), so they renew one at a time, and a tab that waited for another
// first looks whether that one renewed the session for both. Two tabs
// presenting the same token would look like a stolen token being replayed,
// which ends the session everywhere.
async function renewOnce() {
  const me = await fetch('/api/me', { credentials: 'same-origin' });
  return me.ok || renew();
}

function renew() {
  return fetch('/api/auth/refresh', { method: 'POST', credentials: 'same-origin' }).then((r) => r.ok);
}

async function raw(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: {} };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  return fetch(path, init);
}

/** api sends a request and resolves with the decoded answer; refusals
 * reject with an ApiError carrying the server's code and message. */
export async function api(method, path, body, { auth = true } = {}) {
  let res = await raw(method, path, body);
  if (res.status === 401 && auth) {
    if (await refresh()) res = await raw(method, path, body);
    if (res.status === 401) {
      onAuthLost();
    }
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const e = data.error || {};
    throw new ApiError(res.status, e.code || 'internal', e.message || res.statusText, e.retry_after);
  }
  return data;
}

/** optional is api for routes that may not exist on this server: a 404
 * (route not served) resolves with null. */
export async function optional(method, path, body) {
  try {
    return await api(method, path, body);
  } catch (err) {
    if (err.status === 404 || err.status === 405) return null;
    throw err;
  }
}
