// Package auth owns who a request is: password hashing (bcrypt), session
// tokens (HS256 JWTs with an explicit algorithm, a key id, an expiry and a
// random id), the gin middleware that requires one, the signup, login,
// logout and /api/me handlers, and the authentication of WebSocket upgrades
// (Authenticate reads the Authorization header or the session cookie).
//
// It knows nothing about games. It reaches accounts through the small Users
// interface, which the store satisfies, and rate-limits through
// ratelimit.Limiter. WriteError is the one place an error becomes an HTTP
// answer; the hub's handlers use it too.
package auth
